//! Request-rate limiting: a token bucket per client address.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Instant;

/// Token buckets by client address.
#[derive(Debug)]
pub struct RateLimiter {
    rate: f64,
    burst: f64,
    buckets: Mutex<HashMap<Option<IpAddr>, Bucket>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// Buckets idle this long are full again and can be forgotten.
const MAX_TRACKED: usize = 100_000;

impl RateLimiter {
    /// `rate` requests a second on average, up to `burst` at once.
    pub fn new(rate: u32, burst: u32) -> Self {
        Self {
            rate: f64::from(rate.max(1)),
            burst: f64::from(burst.max(1)),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one token for `client`; false when its bucket is empty.
    pub fn allow(&self, client: Option<IpAddr>, now: Instant) -> bool {
        let Ok(mut buckets) = self.buckets.lock() else {
            return true;
        };
        if buckets.len() >= MAX_TRACKED {
            let full_after = self.burst / self.rate;
            buckets.retain(|_, b| now.duration_since(b.updated).as_secs_f64() < full_after);
        }
        let bucket = buckets.entry(client).or_insert(Bucket {
            tokens: self.burst,
            updated: now,
        });
        let elapsed = now.duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * self.rate).min(self.burst);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn burst_then_refuses_then_refills() {
        let limiter = RateLimiter::new(10, 3);
        let client = Some(IpAddr::from([10, 0, 0, 1]));
        let start = Instant::now();
        assert!((0..3).all(|_| limiter.allow(client, start)));
        assert!(!limiter.allow(client, start));
        assert!(limiter.allow(Some(IpAddr::from([10, 0, 0, 2])), start));
        assert!(limiter.allow(client, start + Duration::from_millis(150)));
    }
}
