#include "services/kit/clock.h"

#include <sodium.h>

namespace clipforge::kit {

void SecureRandom::Fill(void* out, size_t size) { randombytes_buf(out, size); }

}  // namespace clipforge::kit
