#include "base/random.h"

#include <sodium.h>

#include <cstdlib>

namespace clipforge::base {

SecureRandom::SecureRandom() {
  // Idempotent and itself thread-safe; failure means no usable randomness.
  if (sodium_init() < 0) std::abort();
}

void SecureRandom::Fill(void* out, size_t size) { randombytes_buf(out, size); }

}  // namespace clipforge::base
