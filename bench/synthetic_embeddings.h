// Embeddings for the feed benches' synthetic worlds: theme centres drawn
// uniformly on the unit sphere, and clips jittered around a centre (or
// around the clip they copy), so similarity follows theme and copying; and
// the cosine their page-diversity figures are measured with. Shared by
// feed_rank_bench and feed_eval_bench so their worlds and figures agree.
#pragma once

#include <cmath>
#include <cstddef>
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

// The cosine of two embeddings; 0 when either is all zeros (no
// embedding). Page diversity is the mean pairwise 1 - this.
inline double EmbeddingCosine(const feed::CandidateEmbedding& a, const feed::CandidateEmbedding& b) {
  double dot = 0, na = 0, nb = 0;
  for (size_t d = 0; d < feed::kCandidateEmbeddingDims; ++d) {
    dot += a[d] * b[d];
    na += a[d] * a[d];
    nb += b[d] * b[d];
  }
  return na == 0 || nb == 0 ? 0 : dot / std::sqrt(na * nb);
}

}  // namespace clipforge::bench
