#include "migrate-guard/migrate_guard.hpp"

int main(int argc, char** argv) { return kit::run_tool(migrate_guard::spec(), argc, argv); }
