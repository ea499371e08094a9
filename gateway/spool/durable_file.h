// The POSIX steps durability rests on, as small functions returning Status: write a new file and
// fsync it, fsync a directory, rename without replacing, read a whole file. Every error names the
// path and the system's reason (strerror).
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/spool/result.h"

namespace portcullis::spool {

// Creates `path` (must not exist), writes the pieces in order, fsyncs and closes it. On any
// failure the partial file is removed.
Status writeNewFileSynced(const std::string& path, std::initializer_list<std::string_view> pieces);
// The same without the fsync: the bytes are only in the page cache (the commit journal is what
// makes a message durable, see spool.h).
Status writeNewFileUnsynced(const std::string& path,
                            std::initializer_list<std::string_view> pieces);
// Writes the pieces over the existing file `path` from its start and truncates it to their
// length; not synced either.
Status overwriteFileUnsynced(const std::string& path,
                             std::initializer_list<std::string_view> pieces);
// Writes every piece in order at the descriptor's offset (short writes and EINTR continue).
Status appendPieces(int fd, const std::vector<std::string_view>& pieces,
                    const std::string& name_for_errors);
// fsync of an existing file.
Status syncExistingFile(const std::string& path);
// syncfs(2): everything written to the file system holding `fd` (data and names) is on disk.
Status syncFileSystem(int fd, const std::string& name_for_errors);
// fsync of an open directory descriptor, so renames and unlinks in it are on disk.
Status syncDirectory(int directory_fd, const std::string& name_for_errors);
// Renames `from` to `to`; fails (EEXIST) if `to` exists.
Status renameNoReplace(const std::string& from, const std::string& to);
// Renames `from` over `to` (atomic replacement).
Status renameReplace(const std::string& from, const std::string& to);
Result<std::string> readWholeFile(const std::string& path);
// An open O_DIRECTORY descriptor (the caller closes it), or why the directory cannot be opened.
Result<int> openDirectory(const std::string& path);
// Opens `path`, fsyncs it and closes it again (syncDirectory for a directory not kept open).
Status syncDirectoryAt(const std::string& path);
// Replaces (or creates) `directory`/`name` with the pieces so that a crash leaves the old file or
// the new one, never a mix: written to `name`.tmp and fsynced, renamed over, directory fsynced.
Status replaceFileDurably(const std::string& directory, const std::string& name,
                          std::initializer_list<std::string_view> pieces);

}  // namespace portcullis::spool
