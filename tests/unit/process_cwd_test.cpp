#include <doctest/doctest.h>

#include <filesystem>

#include "kit/process.hpp"

TEST_CASE("process: a child runs in the working directory it is given") {
  kit::ProcessSpec spec;
  spec.argv = {"pwd"};
  spec.cwd = std::filesystem::temp_directory_path().string();
  auto r = kit::run_process(spec);
  REQUIRE(r.started);
  CHECK(r.exit_code == 0);
  CHECK(std::filesystem::equivalent(r.out.substr(0, r.out.find('\n')), spec.cwd));
  spec.cwd.clear();
  auto here = kit::run_process(spec);
  CHECK(std::filesystem::equivalent(here.out.substr(0, here.out.find('\n')), std::filesystem::current_path()));
}
