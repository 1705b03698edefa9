#pragma once
// A VFS over SQLite's own that writes each commit's frames to the write-ahead log in one call.
//
// SQLite writes every frame of the log with two calls, its 24-byte header and then its page: a
// line through the broker took 4.6 such calls (bench/rounds.md, "one write per commit"). This VFS
// gathers a transaction's frames in memory and writes them with one pwrite when the frame that
// commits it has been given, so the commit fails exactly as before if that write does: nothing
// was published. Anything else SQLite does with the log (read, sync, truncate, size, file
// controls) writes what is gathered first, and so do the barrier before a commit is published
// and the release of the log's write lock, after which another connection may write there: the
// frames of a transaction that rolled back reach the file as they would have without this VFS.
// Only where SQLite never pads a commit to a sector (powersafe overwrite, the unix default).

namespace seshat::store::sqlite {

// Registers the VFS once (not as the default) and returns its name, for sqlite3_open_v2.
const char* log_writes_vfs();

}  // namespace seshat::store::sqlite
