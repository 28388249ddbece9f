"""RDF: the only stage that touches rdflib terms."""
