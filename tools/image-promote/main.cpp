#include "image-promote/image_promote.hpp"

int main(int argc, char** argv) { return kit::run_tool(image_promote::spec(), argc, argv); }
