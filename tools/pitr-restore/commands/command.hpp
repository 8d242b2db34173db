#pragma once
// What the command files share: the options read into a Request, and the report of a window,
// a plan and a result. Only commands/ sees kit::Context and kit::Report.
#include "kit/runtime.hpp"
#include "pitr-restore/plan.hpp"
#include "pitr-restore/request.hpp"
#include "pitr-restore/result.hpp"

namespace pitr_restore {

enum class Needs { window, target };


// Validates the options into a request; throws kit::Error(usage) with one line.
Request request_from(const kit::Context& ctx, Needs needs);

void report_window(kit::Report& report, const Request& request, const Window& window);
// `go_ahead`: end the summary with the command that would carry the plan out (plan, --dry-run).
void report_plan(kit::Report& report, const Request& request, const Plan& plan, const std::string& title, bool go_ahead = false);
void report_result(kit::Report& report, const Request& request, const Plan& plan, const RestoreResult& result, const std::string& title,
                   const std::string& verdict);

}  // namespace pitr_restore
