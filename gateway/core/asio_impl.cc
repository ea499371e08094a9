// Compiles Boost.Asio (and its SSL support) exactly once for the whole program.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
