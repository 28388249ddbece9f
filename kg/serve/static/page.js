// The query editor: YASGUI, every request to this server only.
//
// - Completion of prefixes, classes and properties comes from the server's
//   /editor/vocabulary.json (kg/serve/editor.py: the ontology and the dataset),
//   never from prefix.cc or LOV; the ontology's Finnish and English labels are
//   shown beside each term, and a term is found by its name or by a label.
// - The prefixes the server pre-declares are the project's: the editor neither
//   flags them as undefined nor offers a stranger's meaning for their names
//   (YASQE's bundled list maps hg: to rdf.histograph.io).
// - The user's tabs are kept in localStorage across reloads; on a first visit
//   every queries/*.rq is a tab. A share link opens its query in a tab of its own.
(async function () {
  const cfg = JSON.parse(document.getElementById("kg-config").textContent);
  const endpoint = new URL(cfg.endpoint, window.location.href).href;
  const Yasqe = Yasgui.Yasqe;

  let vocab = { prefixes: cfg.prefixes, classes: [], properties: [] };
  try {
    const r = await fetch(cfg.vocabulary);
    if (r.ok) vocab = await r.json();
    else console.warn(`${cfg.vocabulary}: ${r.status} ${await r.text()}`);
  } catch (e) {
    console.warn(`${cfg.vocabulary}: ${e}`);
  }
  const own = vocab.prefixes;
  const ownNames = Object.keys(own);

  // 1. The pre-declared prefixes count as declared in every query: the SPARQL
  //    mode starts each document with them (a PREFIX line still overrides).
  const CodeMirror = Object.getPrototypeOf(Yasqe); // class Yasqe extends CodeMirror
  const sparql11 = CodeMirror.modes.sparql11;
  CodeMirror.defineMode("sparql11", function (config, parserConfig) {
    const mode = sparql11(config, parserConfig);
    const startState = mode.startState;
    mode.startState = function () {
      const state = startState.apply(this, arguments);
      state.prefixes = Object.assign({}, own, state.prefixes);
      return state;
    };
    return mode;
  });

  // 2. Prefix completion (after PREFIX): the project's prefixes first, then
  //    YASQE's bundled list (no network: prefixCcApi null) without any entry that
  //    gives one of the project's names another IRI or one of its IRIs another name.
  const prefixes = Yasqe.Autocompleters.prefixes;
  const bundled = await Promise.resolve(prefixes.get({ config: { prefixCcApi: null } }));
  const ownIris = new Set(Object.values(own));
  const strangers = bundled.filter((line) => {
    const m = /^([^:\s]*):\s*<([^>]*)>$/.exec(line);
    return m && !(m[1] in own) && !ownIris.has(m[2]);
  });
  const ownLines = Object.entries(own).map(([p, iri]) => `${p}: <${iri}>`);
  const isOwn = (hint) => ownNames.includes(hint.text.split(":")[0]);
  Yasqe.forkAutocompleter("prefixes", {
    name: "prefixes",
    get: ownLines.concat(strangers),
    // no stored copy: an array is used as it is, and YASQE's "prefixes" entry in
    // localStorage (an earlier visit's bundled list) is never read
    persistenceId: () => undefined,
    postprocessHints: (yasqe, hints) => {
      const sorted = prefixes.postprocessHints(yasqe, hints);
      return sorted.filter(isOwn).concat(sorted.filter((h) => !isOwn(h)));
    },
  }, false);

  // 3. Class and property completion from the vocabulary.
  const terms = { class: vocab.classes, property: vocab.properties };
  const byIri = new Map(vocab.classes.concat(vocab.properties).map((t) => [t.iri, t]));
  const fold = (s) => s.normalize("NFC").toLocaleLowerCase("fi");
  const declared = (yasqe) => yasqe.getPrefixesFromQuery(); // with the pre-declared ones
  const shorten = (yasqe, iri) => {
    let best = null;
    for (const [p, ns] of Object.entries(declared(yasqe))) {
      if (ns && iri.startsWith(ns) && /^[\w-]*$/u.test(iri.slice(ns.length))
          && (best === null || ns.length > best[1].length)) best = [p, ns];
    }
    return best ? `${best[0]}:${iri.slice(best[1].length)}` : `<${iri}>`;
  };
  const expand = (yasqe, text) => {
    if (text.startsWith("<")) return text.slice(1, -1);
    const i = text.indexOf(":");
    const ns = declared(yasqe)[text.slice(0, i)];
    return ns === undefined ? text : ns + text.slice(i + 1);
  };
  const matches = (yasqe, kind, typed) => {
    // `typed`: "hg:Pro", "<https://w3id.org/…", "hanke" or "hg:hanke"
    typed = typed.trim();
    let ns = null;
    let local = typed;
    if (typed.startsWith("<")) {
      const iri = typed.slice(1).replace(/>$/, "");
      return terms[kind].filter((t) => t.iri.startsWith(iri)).map((t) => t.iri);
    }
    const colon = typed.indexOf(":");
    if (colon >= 0) {
      ns = declared(yasqe)[typed.slice(0, colon)];
      if (ns === undefined) return [];
      local = typed.slice(colon + 1);
    }
    const want = fold(local);
    return terms[kind].filter((t) => {
      if (ns !== null && !t.iri.startsWith(ns)) return false;
      const name = ns !== null ? t.iri.slice(ns.length) : shorten(yasqe, t.iri).replace(/^[^:]*:/, "");
      if (fold(name).startsWith(want)) return true;
      return Object.values(t.labels).some((l) => fold(l).split(/[\s-]+/).some((w) => w.startsWith(want)));
    }).map((t) => t.iri);
  };
  const render = (yasqe) => (hints) => hints.map((h) => {
    const term = byIri.get(expand(yasqe, h.text));
    const shown = term ? ["fi", "en"].map((l) => term.labels[l]).filter(Boolean) : [];
    h.displayText = shown.length ? `${h.text} — ${shown.join(" · ")}` : h.text;
    h.render = (el) => {
      const name = document.createElement("span");
      name.textContent = h.text;
      el.appendChild(name);
      if (shown.length) {
        const labels = document.createElement("span");
        labels.className = "kg-hint-labels";
        labels.textContent = shown.join(" · ");
        el.appendChild(labels);
      }
    };
    return h;
  });
  for (const kind of ["class", "property"]) {
    Yasqe.forkAutocompleter(kind, {
      name: kind,
      bulk: false,
      autoShow: true, // local data: the list opens as one types
      get: (yasqe, token) => matches(yasqe, kind, token.string),
      preProcessToken: (yasqe, token) => token,
      postProcessSuggestion: (yasqe, token, iri) => shorten(yasqe, iri),
      postprocessHints: (yasqe, hints) => render(yasqe)(hints),
    }, false);
  }
  Yasqe.defaults.autocompleters = ["prefixes", "variables", "class", "property"];

  // 4. The tabs: kept in localStorage ("hankegraph_config"); a share link's tab
  //    always asks this server, whatever endpoint the link names.
  let shared = null;
  const yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    persistenceId: "hankegraph",
    populateFromUrl: (tab) => {
      tab.requestConfig = { ...tab.requestConfig, endpoint: endpoint, headers: {} };
      shared = tab;
      return tab;
    },
    autoAddOnInit: false,
    endpointCatalogueOptions: { getData: () => [{ endpoint: endpoint }] },
    yasqe: { value: "SELECT * WHERE { ?s ?p ?o } LIMIT 10\n" },
  });
  for (const id of yasgui.persistentConfig.getTabs()) {
    const tab = yasgui.getTab(id);
    if (tab && tab.getEndpoint() !== endpoint) tab.setEndpoint(endpoint); // e.g. another port
  }
  // a first visit (no tabs kept, apart from a shared one): the example queries,
  // before the shared query's tab, which stays the open one
  const kept = yasgui.persistentConfig.getTabs().filter((id) => !shared || id !== shared.id);
  if (!kept.length) {
    cfg.tabs.forEach((t, i) => {
      yasgui.addTab(!shared && i === 0, {
        ...Yasgui.Tab.getDefaults(),
        name: t.name,
        yasqe: { value: t.query },
        requestConfig: { ...Yasgui.Tab.getDefaults().requestConfig, endpoint: endpoint, method: "POST" },
      }, { atIndex: i });
    });
  }

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
