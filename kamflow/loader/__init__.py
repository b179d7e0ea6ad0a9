"""Reading process files: bytes -> YAML node tree -> model.Process, every problem with a position."""

from kamflow.loader.build import load_process, load_process_text
from kamflow.loader.workspace import Workspace, bundled_library_dir, find_process_files, not_taken

__all__ = ["Workspace", "bundled_library_dir", "find_process_files", "load_process", "load_process_text", "not_taken"]
