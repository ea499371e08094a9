// `portcullis learn -c FILE --spam PATH... | --ham PATH... | --forget PATH... | --stats |
// --expire`: teaches the classifier of a configuration's [checks.classifier] from message files,
// directories (recursively) and mbox files (mail_files.h), or shows and trims its store.
//
// Each message is read as the content engine reads mail (filters/learning/message_learning.h).
// Learning a message twice counts once (its digest is kept); learning it as the other class moves
// it (relearnt); --forget removes it. A progress bar goes to stderr when stderr is a terminal;
// then each failure and its reason (the first 20, then their number) on stderr, and last the
// summary line on stdout:
//   "learnt as spam: 498 learnt, 2 already learnt, 0 relearnt, 1 failed"
//   "forgotten: 10 forgotten, 1 not learnt, 0 failed"
// A failing store (corrupt, foreign, Redis down) stops the command at once with its reason.
//
// Run as root, the files it creates or changes in the queue directory are handed to that
// directory's owner (store_ownership.h), so the gateway can still write them.
//
// --stats: backend, tokens, messages learnt per class, last expiry, store size, whether the
// classifier speaks yet. --expire: drops the least recently seen tokens down to max_tokens.
// Exit status: 0 when everything was learnt; 1 when a message could not be read or learnt, a path
// does not exist, the store failed, or the configuration is wrong.
#pragma once

namespace CLI {
class App;
}

namespace portcullis::cli {

void addLearnCommand(CLI::App& app, int& exit_status);

}  // namespace portcullis::cli
