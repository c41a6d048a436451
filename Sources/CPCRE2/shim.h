// PCRE2 for UTF-8: pcre2.h refuses to be included without a code unit width. Swift does not import
// pcre2.h's name macros (pcre2_compile -> pcre2_compile_8), so Swift calls the *_8 names.
#ifndef LOGSHIP_CPCRE2_SHIM_H
#define LOGSHIP_CPCRE2_SHIM_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#endif
