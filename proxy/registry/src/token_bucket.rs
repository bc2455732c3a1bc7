//! A token bucket: `rate` tokens a second, at most `burst` saved up. One
//! small value so that the instance's upstream budget (`upstream`) and the
//! server's per-client limits count the same way.

use std::time::{Duration, Instant};

/// How fast tokens come and how many may be saved.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    /// Tokens added per second (> 0).
    pub per_second: f64,
    /// Tokens a full bucket holds (≥ 1).
    pub burst: f64,
}

impl Rate {
    /// `per_second` a second with `burst` saved up; both made sane (a rate
    /// of zero would never refill, a burst under one never admit).
    pub fn new(per_second: f64, burst: u32) -> Self {
        Rate {
            per_second: if per_second.is_finite() && per_second > 0.0 {
                per_second
            } else {
                1.0
            },
            burst: f64::from(burst.max(1)),
        }
    }
}

#[derive(Debug, Clone)]
pub struct TokenBucket {
    tokens: f64,
    last: Instant,
}

impl TokenBucket {
    /// A full bucket.
    pub fn full(rate: Rate, now: Instant) -> Self {
        TokenBucket {
            tokens: rate.burst,
            last: now,
        }
    }

    fn refill(&mut self, rate: Rate, now: Instant) {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.tokens = (self.tokens + elapsed * rate.per_second).min(rate.burst);
        self.last = now;
    }

    /// Take one token, or say how long until one is there.
    pub fn try_take(&mut self, rate: Rate, now: Instant) -> Result<(), Duration> {
        self.reserve(rate, now, Duration::ZERO).map(|_| ())
    }

    /// Take one token now or, when it comes within `max_wait`, reserve it
    /// (the bucket goes into debt) and say how long to wait for it; past
    /// `max_wait`, take nothing and say how long until one is there.
    /// Reserving keeps waiters in order: each one's wait is longer than
    /// the one before.
    pub fn reserve(
        &mut self,
        rate: Rate,
        now: Instant,
        max_wait: Duration,
    ) -> Result<Duration, Duration> {
        self.refill(rate, now);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            return Ok(Duration::ZERO);
        }
        let wait = Duration::from_secs_f64((1.0 - self.tokens) / rate.per_second);
        if wait <= max_wait {
            self.tokens -= 1.0;
            Ok(wait)
        } else {
            Err(wait)
        }
    }

    /// Would the bucket be full by `now` (nothing to remember about it)?
    pub fn is_full(&self, rate: Rate, now: Instant) -> bool {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.tokens + elapsed * rate.per_second >= rate.burst
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_the_rate() {
        let rate = Rate::new(2.0, 3);
        let t0 = Instant::now();
        let mut b = TokenBucket::full(rate, t0);
        for _ in 0..3 {
            assert!(b.try_take(rate, t0).is_ok());
        }
        let wait = b.try_take(rate, t0).unwrap_err();
        assert_eq!(wait, Duration::from_millis(500));
        assert!(!b.is_full(rate, t0));
        let later = t0 + Duration::from_millis(500);
        assert!(b.try_take(rate, later).is_ok());
        assert!(b.try_take(rate, later).is_err());
        assert!(b.is_full(rate, later + Duration::from_secs(2)));
    }

    #[test]
    fn reservations_queue_up_to_the_longest_wait() {
        let rate = Rate::new(10.0, 1);
        let t0 = Instant::now();
        let mut b = TokenBucket::full(rate, t0);
        let max = Duration::from_millis(250);
        assert_eq!(b.reserve(rate, t0, max), Ok(Duration::ZERO));
        assert_eq!(b.reserve(rate, t0, max), Ok(Duration::from_millis(100)));
        assert_eq!(b.reserve(rate, t0, max), Ok(Duration::from_millis(200)));
        assert_eq!(b.reserve(rate, t0, max), Err(Duration::from_millis(300)));
    }

    #[test]
    fn nonsense_rates_are_made_sane() {
        let rate = Rate::new(0.0, 0);
        assert_eq!(rate.per_second, 1.0);
        assert_eq!(rate.burst, 1.0);
        assert_eq!(Rate::new(f64::NAN, 5).per_second, 1.0);
    }
}
