#pragma once
// SQL identifier quoting for names that come from URLs, migrations or the catalog.
#include <string>

namespace pg {

// "name" with embedded double quotes doubled, as PostgreSQL's quote_ident does (always quoted).
std::string quote_ident(const std::string& name);

}  // namespace pg
