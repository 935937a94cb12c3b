#include "CKingletKernels.h"
