// The query editor: one tab per queries/*.rq, every request to this server only.
(function () {
  const cfg = JSON.parse(document.getElementById("kg-config").textContent);
  const endpoint = new URL(cfg.endpoint, window.location.href).href;
  // The class and property completers ask an outside vocabulary service (LOV):
  // keep the completers that work from the page alone.
  Yasgui.Yasqe.defaults.autocompleters = ["prefixes", "variables"];
  const prefixes = Object.entries(cfg.prefixes)
    .map(([p, iri]) => `PREFIX ${p}: <${iri}>`).join("\n");
  const yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    persistenceId: null,          // always start from the example queries
    populateFromUrl: false,
    autoAddOnInit: false,
    endpointCatalogueOptions: { getData: () => [{ endpoint: endpoint }] },
    yasqe: { value: prefixes + "\n\nSELECT * WHERE { ?s ?p ?o } LIMIT 10\n" },
  });
  cfg.tabs.forEach((t, i) => {
    yasgui.addTab(i === 0, {
      ...Yasgui.Tab.getDefaults(),
      name: t.name,
      yasqe: { value: t.query },
      requestConfig: { ...Yasgui.Tab.getDefaults().requestConfig, endpoint: endpoint, method: "POST" },
    });
  });
  // An entity's IRI in the results links to its page on this server, not to
  // the base IRI's host, where nothing answers for a local dataset.
  if (cfg.base) {
    const local = () => {
      document.querySelectorAll(`#yasgui a[href^="${cfg.base}"]`).forEach((a) => {
        a.href = "/" + a.getAttribute("href").slice(cfg.base.length);
        a.removeAttribute("target");
      });
    };
    new MutationObserver(local).observe(document.getElementById("yasgui"),
                                        { childList: true, subtree: true });
  }
  window.kgYasgui = yasgui;  // for the browser test and the console
})();
