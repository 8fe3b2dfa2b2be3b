#ifndef IPM_CLIBPQ_SHIM_H
#define IPM_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#endif
