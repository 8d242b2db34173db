// The order of a copy's manifest writes (write_groups) and parallel_for when no thread can be
// started: pure functions, no registry.
#include <doctest/doctest.h>

#include <atomic>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "image-promote/blob_copy.hpp"
#include "image-promote/parallel.hpp"

using namespace image_promote;

namespace {

Manifest image(const std::string& digest) {
  Manifest m;
  m.digest = digest;
  return m;
}

Manifest index(const std::string& digest, const std::vector<std::string>& children) {
  Manifest m;
  m.digest = digest;
  m.is_index = true;
  for (const auto& c : children) m.children.push_back(Descriptor{"", c, 0});
  return m;
}

// Group number of each digest; checks that every manifest is in exactly one group.
std::map<std::string, size_t> group_of(const std::vector<Manifest>& ms) {
  std::map<std::string, size_t> out;
  auto groups = write_groups(ms);
  size_t count = 0;
  for (size_t g = 0; g < groups.size(); ++g) {
    CHECK_FALSE(groups[g].empty());
    for (size_t i : groups[g]) out[ms.at(i).digest] = g, ++count;
  }
  CHECK(count == ms.size());
  CHECK(out.size() == ms.size());
  return out;
}

// Every index comes after everything it refers to.
void check_order(const std::vector<Manifest>& ms) {
  auto g = group_of(ms);
  for (const auto& m : ms)
    for (const auto& c : m.children)
      if (g.count(c.digest)) CHECK_MESSAGE(g[c.digest] < g[m.digest], c.digest << " not before " << m.digest);
}

}  // namespace

TEST_CASE("image-promote write_groups: by height, not by the level a manifest was first seen") {
  // The walk's order (levels): root | X, B | C. Writing C's level before X's is refused.
  std::vector<Manifest> ms{index("root", {"X", "B"}), image("X"), index("B", {"C"}), index("C", {"X"})};
  check_order(ms);
  auto g = group_of(ms);
  CHECK(g["X"] == 0);
  CHECK(g["C"] == 1);
  CHECK(g["B"] == 2);
  CHECK(g["root"] == 3);
}

TEST_CASE("image-promote write_groups: siblings that refer to each other, shared children, plain trees") {
  // An index whose entries are X and Y, Y being an index of X (both seen at the same level).
  check_order({index("root", {"X", "Y"}), image("X"), index("Y", {"X"})});
  check_order({index("root", {"Y", "X"}), index("Y", {"X"}), image("X")});
  // A two-platform index: the images together, then the root.
  std::vector<Manifest> flat{index("root", {"a", "b"}), image("a"), image("b")};
  auto groups = write_groups(flat);
  REQUIRE(groups.size() == 2);
  CHECK(groups[0].size() == 2);
  CHECK(groups[1] == std::vector<size_t>{0});
  // A single image, and nothing at all.
  CHECK(write_groups({image("x")}) == std::vector<std::vector<size_t>>{{0}});
  CHECK(write_groups({}).empty());
  // A chain deeper than the walk allows is still ordered (and does not recurse).
  std::vector<Manifest> chain{image("m0")};
  for (int i = 1; i < 5000; ++i) chain.push_back(index("m" + std::to_string(i), {"m" + std::to_string(i - 1)}));
  CHECK(write_groups(chain).size() == 5000);
  // An entry that is not in the set (left out) counts for nothing.
  check_order({index("root", {"elsewhere", "a"}), image("a")});
}

TEST_CASE("image-promote parallel_for: a thread that cannot be started is not the end (no std::terminate)") {
  std::atomic<int> started{0};
  std::vector<std::atomic<int>> done(50);
  auto spawn = [&](auto& worker) {
    if (started++ >= 1) throw std::system_error(std::make_error_code(std::errc::resource_unavailable_try_again));
    return std::thread(worker);
  };
  parallel_for(done.size(), 8, [&](size_t i) { ++done[i]; }, spawn);
  for (auto& d : done) CHECK(d == 1);
  CHECK(started == 2);  // one thread started, the second attempt failed, no more were tried
  // An item's exception still comes out, once every thread has stopped.
  started = 0;
  CHECK_THROWS_AS(parallel_for(done.size(), 8, [&](size_t i) { if (i == 3) throw std::runtime_error("x"); }, spawn),
                  std::runtime_error);
}
