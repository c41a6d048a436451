// ISA-L's igzip (Debian: libisal-dev): the bulk output's gzip compression.
#include <isa-l/igzip_lib.h>

// The level buffer igzip's level 1-3 wants (ISAL_DEF_LVLx_DEFAULT, not importable into Swift as
// it is an expression of other macros); 0 for level 0, which needs none.
static inline uint32_t logship_isal_level_buffer_size(uint32_t level) {
    switch (level) {
    case 1: return ISAL_DEF_LVL1_DEFAULT;
    case 2: return ISAL_DEF_LVL2_DEFAULT;
    case 3: return ISAL_DEF_LVL3_DEFAULT;
    default: return 0;
    }
}
