DROP DATABASE "staging_copy";
