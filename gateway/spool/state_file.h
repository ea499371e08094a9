// Small durable state files that hold one record each (the digest's last run, a quarantine
// release marker): the record format of record_format.h (a magic line, "key value" fields, the
// checksum line), replaced atomically on write. Every error names the file.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "gateway/spool/record_format.h"
#include "gateway/spool/result.h"

namespace portcullis::spool {

// Reads `path`. False when the file does not exist; true when it was read and `accept` took
// every field in order. `accept` returns false for a field it does not expect, which fails the
// read with "PATH: line N: unexpected 'KEY' field"; a bad checksum, magic line or field line
// fails it too.
Result<bool> readStateFile(
    const std::string& path, std::string_view magic_line,
    const std::function<bool(const std::string& key, const std::string& value)>& accept);

// Writes `directory`/`name` as `magic_line`, the fields `write_fields` adds and the checksum,
// durably replacing the file that was there (replaceFileDurably).
Status writeStateFile(const std::string& directory, const std::string& name,
                      std::string_view magic_line,
                      const std::function<void(RecordWriter& writer)>& write_fields);

}  // namespace portcullis::spool
