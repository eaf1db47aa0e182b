// Work in progress: filled in by the next commit.
export {};
