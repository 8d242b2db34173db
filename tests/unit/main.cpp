#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include "kit/log.hpp"

int main(int argc, char** argv) {
  // The code under test logs its progress; the test report is what matters here.
  kit::log::init("unit-tests", kit::log::Format::text, kit::log::Level::off);
  doctest::Context context(argc, argv);
  return context.run();
}
