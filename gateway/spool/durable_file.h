// The POSIX steps durability rests on, as small functions returning Status: write a new file and
// fsync it, fsync a directory, rename without replacing, read a whole file. Every error names the
// path and the system's reason (strerror).
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

#include "gateway/spool/result.h"

namespace portcullis::spool {

// Creates `path` (must not exist), writes the pieces in order, fsyncs and closes it. On any
// failure the partial file is removed.
Status writeNewFileSynced(const std::string& path, std::initializer_list<std::string_view> pieces);
// fsync of an open directory descriptor, so renames and unlinks in it are on disk.
Status syncDirectory(int directory_fd, const std::string& name_for_errors);
// Renames `from` to `to`; fails (EEXIST) if `to` exists.
Status renameNoReplace(const std::string& from, const std::string& to);
// Renames `from` over `to` (atomic replacement).
Status renameReplace(const std::string& from, const std::string& to);
Result<std::string> readWholeFile(const std::string& path);
// An open O_DIRECTORY descriptor, or -1 with `error` set.
int openDirectory(const std::string& path, std::string& error);

}  // namespace portcullis::spool
