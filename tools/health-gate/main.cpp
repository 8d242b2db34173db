#include "health-gate/health_gate.hpp"

int main(int argc, char** argv) { return kit::run_tool(health_gate::spec(), argc, argv); }
