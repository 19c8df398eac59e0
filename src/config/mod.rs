//! lanetop configuration: paths, themes, keymaps.
