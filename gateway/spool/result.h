// The spool's error values are the base library's Result and Status (gateway/base/result.h);
// these declarations keep the names spool::Result and spool::Status for code that spells them so.
#pragma once

#include "gateway/base/result.h"

namespace portcullis::spool {

using portcullis::Result;
using portcullis::Status;

}  // namespace portcullis::spool
