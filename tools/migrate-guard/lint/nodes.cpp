// Small accessors over libpg_query's JSON parse tree. The JSON omits fields holding their zero
// value (false, 0, empty), so every accessor has a default.
#include "internal.hpp"

namespace migrate_guard::lint::detail {

std::string str(const json& node, const char* key) {
  if (!node.is_object()) return {};
  auto it = node.find(key);
  return it != node.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

bool flag(const json& node, const char* key) {
  if (!node.is_object()) return false;
  auto it = node.find(key);
  return it != node.end() && it->is_boolean() && it->get<bool>();
}

long integer(const json& node, const char* key) {
  if (!node.is_object()) return 0;
  auto it = node.find(key);
  return it != node.end() && it->is_number_integer() ? it->get<long>() : 0;
}

std::optional<long> location(const json& node) {
  if (!node.is_object()) return std::nullopt;
  auto it = node.find("location");
  if (it == node.end() || !it->is_number_integer() || it->get<long>() < 0) return std::nullopt;
  return it->get<long>();
}

const json& child(const json& node, const char* key) {
  static const json null;
  if (!node.is_object()) return null;
  auto it = node.find(key);
  return it != node.end() ? *it : null;
}

const json& items(const json& node, const char* key) {
  static const json empty = json::array();
  if (!node.is_object()) return empty;
  auto it = node.find(key);
  return it != node.end() && it->is_array() ? *it : empty;
}

namespace {
// Per thread, so concurrent lints with different schemas do not mix; set by DefaultSchema.
thread_local std::string default_schema = "public";
}  // namespace

DefaultSchema::DefaultSchema(const std::string& schema) : previous_(default_schema) {
  default_schema = schema.empty() ? "public" : schema;
}
DefaultSchema::~DefaultSchema() { default_schema = previous_; }

std::string relation_name(const json& range_var) {
  std::string schema = str(range_var, "schemaname");
  std::string rel = str(range_var, "relname");
  return schema.empty() || schema == default_schema ? rel : schema + "." + rel;
}

std::string qualified(const std::string& key) {
  if (key.empty() || key.find('.') != std::string::npos) return key;
  return default_schema + "." + key;
}

std::string object_name(const json& object) {
  if (object.contains("String")) return str(child(object, "String"), "sval");
  std::string name;
  if (object.contains("List")) {
    for (const auto& part : items(child(object, "List"), "items")) {
      if (!name.empty()) name += '.';
      name += str(child(part, "String"), "sval");
    }
  }
  const std::string prefix = default_schema + ".";
  if (name.rfind(prefix, 0) == 0) name.erase(0, prefix.size());
  return name;
}

ColumnType column_type(const json& type_name) {
  ColumnType t;
  const json& names = items(type_name, "names");
  if (!names.empty()) t.name = str(child(names.back(), "String"), "sval");
  for (const auto& mod : items(type_name, "typmods")) {
    if (mod.contains("A_Const")) {
      const json& c = child(mod, "A_Const");
      t.typmods.push_back(c.contains("ival") ? integer(child(c, "ival"), "ival") : 0);
    }
  }
  t.array = !items(type_name, "arrayBounds").empty();
  return t;
}

std::string type_text(const ColumnType& type) {
  std::string out = type.name;
  if (!type.typmods.empty()) {
    out += "(";
    for (std::size_t i = 0; i < type.typmods.size(); ++i) {
      if (i) out += ",";
      out += std::to_string(type.typmods[i]);
    }
    out += ")";
  }
  if (type.array) out += "[]";
  return out;
}

std::vector<const json*> constraints_of(const json& column_def) {
  std::vector<const json*> out;
  for (const auto& c : items(column_def, "constraints")) {
    if (c.contains("Constraint")) out.push_back(&child(c, "Constraint"));
  }
  return out;
}

void called_functions(const json& expr, std::vector<std::string>& out) {
  if (expr.is_object()) {
    for (auto it = expr.begin(); it != expr.end(); ++it) {
      if (it.key() == "FuncCall") {
        const json& names = items(it.value(), "funcname");
        if (!names.empty()) out.push_back(str(child(names.back(), "String"), "sval"));
      }
      called_functions(it.value(), out);
    }
  } else if (expr.is_array()) {
    for (const auto& e : expr) called_functions(e, out);
  }
}

}  // namespace migrate_guard::lint::detail
