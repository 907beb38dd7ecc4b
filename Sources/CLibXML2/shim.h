// libxml2 (Debian's libxml2-dev), the C library Salur reads camt.053 statements with: its SAX2
// push parser, fed a chunk at a time.
#ifndef SALUR_CLIBXML2_SHIM_H
#define SALUR_CLIBXML2_SHIM_H
#include <libxml/xmlversion.h>
// Debian builds libxml2 with ICU, and its encoding.h then includes the system's ICU headers,
// which clash in one Swift module with Foundation's own ICU. Salur uses none of libxml2's ICU
// converters (camt.053 is read as UTF-8) and no struct that holds them by value, so they are
// left out of what Swift sees.
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/SAX2.h>
#include <libxml/xmlerror.h>
#endif
