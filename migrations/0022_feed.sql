-- The feed's durable copy of what its in-memory pools serve from: the public
-- clips (with their originality at publish and their engagement counters),
-- each viewer's follows, likes, analytics consent, explicit feedback,
-- steering weights and personalization (affinity by creator), and the
-- themes with their members. Owned by cf_feed. feed.inbox and
-- feed.dead_letter come from 0001.
--
-- Doubles are float8 (Postgres prints them shortest-exact, so they read
-- back bit for bit); a uint64 prompt cluster is stored as the bigint of the
-- same bit pattern. A clip's originality components are parallel arrays,
-- one element per component.

SET LOCAL ROLE cf_feed;

CREATE TABLE feed.clips (
  clip_id                 uuid        PRIMARY KEY,
  creator_id              uuid        NOT NULL,
  -- NULL for an original.
  parent_clip_id          uuid,
  -- The fork tree's root: clip_id for an original.
  root_clip_id            uuid        NOT NULL,
  prompt                  text        NOT NULL,
  tags                    text[]      NOT NULL DEFAULT '{}',
  published_at            timestamptz NOT NULL,
  prompt_cluster_id       bigint      NOT NULL,
  originality             double precision NOT NULL,
  is_copy                 boolean     NOT NULL,
  -- Component i: its name, penalty, factor and the clips it matched (their
  -- ids joined by ',', '' for none).
  component_names         text[]      NOT NULL DEFAULT '{}',
  component_penalties     float8[]    NOT NULL DEFAULT '{}',
  component_factors       float8[]    NOT NULL DEFAULT '{}',
  component_matches       text[]      NOT NULL DEFAULT '{}',
  originality_time        timestamptz NOT NULL,
  impressions             bigint      NOT NULL DEFAULT 0,
  satisfied_views         bigint      NOT NULL DEFAULT 0,
  likes                   bigint      NOT NULL DEFAULT 0,
  forks                   bigint      NOT NULL DEFAULT 0,
  shares                  bigint      NOT NULL DEFAULT 0,
  skips                   bigint      NOT NULL DEFAULT 0,
  hides                   bigint      NOT NULL DEFAULT 0,
  -- Also counted in impressions (kept apart to debias quality estimates).
  exploration_impressions bigint      NOT NULL DEFAULT 0,
  CHECK (cardinality(component_penalties) = cardinality(component_names)),
  CHECK (cardinality(component_factors) = cardinality(component_names)),
  CHECK (cardinality(component_matches) = cardinality(component_names))
);

CREATE TABLE feed.follows (
  follower_id uuid NOT NULL,
  followee_id uuid NOT NULL,
  PRIMARY KEY (follower_id, followee_id)
);
-- Forgetting a deleted account, from the other side.
CREATE INDEX follows_by_followee ON feed.follows (followee_id);

CREATE TABLE feed.likes (
  user_id uuid NOT NULL,
  clip_id uuid NOT NULL,
  PRIMARY KEY (user_id, clip_id)
);

-- Analytics consent (personalization is kept only while opted in).
CREATE TABLE feed.consent (
  user_id    uuid        PRIMARY KEY,
  opted_in   boolean     NOT NULL,
  updated_at timestamptz NOT NULL
);

-- Explicit feedback: a multiplier (or hiding) per clip, creator, prompt
-- cluster or theme. `scope` is the FeedbackScope number; `key` the clip,
-- creator or theme id, or the cluster id in decimal.
CREATE TABLE feed.feedback_settings (
  user_id    uuid        NOT NULL,
  scope      smallint    NOT NULL CHECK (scope BETWEEN 1 AND 4),
  key        text        NOT NULL,
  multiplier float8      NOT NULL,
  hidden     boolean     NOT NULL,
  set_at     timestamptz NOT NULL,
  PRIMARY KEY (user_id, scope, key)
);

-- A viewer's steering; theme i weighs theme_weight_values[i].
CREATE TABLE feed.weights (
  user_id                uuid        PRIMARY KEY,
  originality            float8      NOT NULL,
  freshness              float8      NOT NULL,
  following_vs_discovery float8      NOT NULL,
  exploration_share      float8      NOT NULL,
  theme_ids              text[]      NOT NULL DEFAULT '{}',
  theme_weight_values    float8[]    NOT NULL DEFAULT '{}',
  -- NULL while never set.
  update_time            timestamptz,
  CHECK (cardinality(theme_weight_values) = cardinality(theme_ids))
);

-- Personalization: a viewer's affinity for a creator.
CREATE TABLE feed.affinity (
  user_id    uuid   NOT NULL,
  creator_id uuid   NOT NULL,
  weight     float8 NOT NULL,
  PRIMARY KEY (user_id, creator_id)
);

CREATE TABLE feed.themes (
  theme_id     uuid        PRIMARY KEY,
  slug         text        NOT NULL UNIQUE,
  display_name text        NOT NULL,
  description  text        NOT NULL DEFAULT '',
  tags         text[]      NOT NULL DEFAULT '{}',
  -- The rows of feed.theme_members naming the theme: changed in the same
  -- statement as each membership.
  member_count bigint      NOT NULL DEFAULT 0 CHECK (member_count >= 0),
  create_time  timestamptz NOT NULL
);

CREATE TABLE feed.theme_members (
  theme_id  uuid        NOT NULL REFERENCES feed.themes (theme_id),
  user_id   uuid        NOT NULL,
  joined_at timestamptz NOT NULL,
  PRIMARY KEY (user_id, theme_id)
);

-- A retried change replays its outcome (kit/pg_idempotency.h).
CREATE TABLE feed.idempotency (
  caller_id    uuid        NOT NULL,
  request_id   uuid        NOT NULL,
  method       text        NOT NULL,
  fingerprint  text        NOT NULL,
  response     bytea       NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (caller_id, request_id)
);
CREATE INDEX idempotency_created ON feed.idempotency (caller_id, created_at);
