#ifndef IPM_CLIBPQ_SHIM_H
#define IPM_CLIBPQ_SHIM_H
#include <libpq-fe.h>
/* The socket waiter of IPMPostgres (decision 70) waits on libpq's sockets with epoll, which
   Swift's Glibc module leaves out. */
#ifdef __linux__
#include <sys/epoll.h>
#endif
#endif
