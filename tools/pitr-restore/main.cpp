#include "pitr-restore/pitr_restore.hpp"

int main(int argc, char** argv) { return kit::run_tool(pitr_restore::spec(), argc, argv); }
