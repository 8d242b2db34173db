#include "ota-publish/ota_publish.hpp"

int main(int argc, char** argv) { return kit::run_tool(ota::spec(), argc, argv); }
