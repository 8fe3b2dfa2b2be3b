#ifndef IPM_CLIBPQ_SHIM_H
#define IPM_CLIBPQ_SHIM_H
#include <libpq-fe.h>
/* The socket waiter of IPMPostgres (decisions 70, 81) waits on libpq's sockets with epoll and
   is woken with an eventfd, which Swift's Glibc module leaves out. */
#ifdef __linux__
#include <sys/epoll.h>
#include <sys/eventfd.h>
#endif
#endif
