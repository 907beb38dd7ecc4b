// libxlsxwriter (Debian's libxlsxwriter-dev), the C library Salur writes Excel workbooks with.
#ifndef SALUR_CXLSXWRITER_SHIM_H
#define SALUR_CXLSXWRITER_SHIM_H
#include <xlsxwriter.h>
#endif
