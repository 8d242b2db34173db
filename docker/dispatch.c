/* The entrypoint of the umbrella image (ghcr.io/yonima/yonima-deploy): runs the tool named by
 * its first argument (`docker run IMAGE health-gate --url ...`) or, as the root action.yml does,
 * by INPUT_TOOL with no arguments. A FROM scratch image has no shell to do this, so it is a tiny
 * static C program. Exit 2 (usage) with one line when the name is missing or not a tool here. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BIN_DIR "/usr/local/bin/"

static int valid_name(const char *s) {
  size_t n = strlen(s);
  if (n == 0 || n > 64 || strcmp(s, "entrypoint") == 0) return 0;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (!((c >= 'a' && c <= 'z') || (c == '-' && i > 0))) return 0;
  }
  return 1;
}

int main(int argc, char **argv) {
  const char *dir = getenv("YONIMA_TOOLS_DIR"); /* tests only: where the tools are */
  const char *tool = NULL;
  char **args = NULL;
  char *only[2] = {NULL, NULL};
  if (argc > 1) {
    tool = argv[1];
    args = argv + 1;
  } else {
    tool = getenv("INPUT_TOOL");
    only[0] = (char *)tool;
    args = only;
  }
  if (!tool || !*tool) {
    fprintf(stderr, "yonima-deploy: name the tool: `IMAGE <tool> [options]` or the action input `tool` "
                    "(health-gate, image-promote, migrate-guard, pitr-restore, ota-publish)\n");
    return 2;
  }
  if (!valid_name(tool)) {
    fprintf(stderr, "yonima-deploy: '%.64s' is not a tool name (lower-case letters and '-')\n", tool);
    return 2;
  }
  char path[256];
  snprintf(path, sizeof path, "%s%s", dir && *dir ? dir : BIN_DIR, tool);
  if (dir && *dir && dir[strlen(dir) - 1] != '/') snprintf(path, sizeof path, "%s/%s", dir, tool);
  args[0] = path;
  execv(path, args);
  if (errno == ENOENT) {
    fprintf(stderr, "yonima-deploy: no tool '%s' in this image (health-gate, image-promote, migrate-guard, "
                    "pitr-restore, ota-publish)\n", tool);
    return 2;
  }
  fprintf(stderr, "yonima-deploy: cannot run %s: %s\n", path, strerror(errno));
  return 3;
}
