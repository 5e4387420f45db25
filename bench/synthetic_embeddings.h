// Embeddings for the feed benches' synthetic worlds: theme centres drawn
// uniformly on the unit sphere, and clips jittered around a centre (or
// around the clip they copy), so similarity follows theme and copying.
// Shared by feed_rank_bench and feed_eval_bench so their worlds agree.
#pragma once

#include <cmath>
#include <random>

#include "feed/candidate.h"

namespace clipforge::bench {

// A direction uniformly on the unit sphere (normalized Gaussian draws).
inline feed::CandidateEmbedding RandomUnitVector(std::mt19937_64& rng) {
  std::normal_distribution<float> component(0.0f, 1.0f);
  feed::CandidateEmbedding v;
  float norm = 0;
  for (float& x : v) {
    x = component(rng);
    norm += x * x;
  }
  for (float& x : v) x /= std::sqrt(norm);
  return v;
}

// `base` plus Gaussian noise of `sigma` per dimension (not renormalized:
// the rankers' similarity is a cosine).
inline feed::CandidateEmbedding Jitter(const feed::CandidateEmbedding& base, float sigma, std::mt19937_64& rng) {
  std::normal_distribution<float> noise(0.0f, sigma);
  feed::CandidateEmbedding v = base;
  for (float& x : v) x += noise(rng);
  return v;
}

}  // namespace clipforge::bench
