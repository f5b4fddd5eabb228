//! Queueing formulas for staffing a phone line: Erlang C (callers wait as
//! long as it takes) and Erlang A (callers give up after an exponentially
//! distributed patience), for the joint hotline's staffing per opening hour.
//!
//! No maintained crate implements these; they are written here from their
//! definitions and tested against published calculator values. Everything
//! is computed by recurrences of ratios, never by factorials or powers, so
//! 100+ agents and hundreds of Erlang neither overflow nor lose precision:
//! Erlang B by B(0) = 1, B(n) = A·B(n−1) ÷ (n + A·B(n−1)); Erlang C from
//! Erlang B by C = N·B ÷ (N − A·(1 − B)).

/// The most agents a calculation considers (a bound on loops, far above any
/// municipal phone line).
pub const MAX_AGENTS: u32 = 10_000;

/// Offered traffic in Erlang: calls × mean handle time ÷ the interval.
pub fn traffic(calls: f64, handle_seconds: f64, interval_seconds: f64) -> f64 {
    if interval_seconds <= 0.0 {
        return 0.0;
    }
    calls * handle_seconds / interval_seconds
}

/// Erlang B: the probability that a call finds all `agents` busy in a loss
/// system with `traffic` Erlang offered.
pub fn erlang_b(traffic: f64, agents: u32) -> f64 {
    let mut b = 1.0;
    for n in 1..=agents {
        let ab = traffic * b;
        b = ab / (f64::from(n) + ab);
    }
    b
}

/// Erlang C: the probability that a call waits; 1 when the agents cannot
/// keep up (agents ≤ traffic).
pub fn erlang_c(traffic: f64, agents: u32) -> f64 {
    let n = f64::from(agents);
    if traffic <= 0.0 {
        return 0.0;
    }
    if n <= traffic {
        return 1.0;
    }
    let b = erlang_b(traffic, agents);
    n * b / (n - traffic * (1.0 - b))
}

/// What a number of agents gives under Erlang C.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ErlangC {
    pub traffic: f64,
    pub agents: u32,
    /// The probability that a call waits.
    pub wait_probability: f64,
    /// The share of calls answered within the target time.
    pub service_level: f64,
    /// The mean wait over all calls, in seconds (infinite when the agents
    /// cannot keep up).
    pub mean_wait_seconds: f64,
    /// The share of the agents' time spent on calls.
    pub occupancy: f64,
}

/// Erlang C for `agents` with `traffic` Erlang, a mean handle time and a
/// service-level target time (seconds).
pub fn erlang_c_figures(
    traffic: f64,
    agents: u32,
    handle_seconds: f64,
    target_seconds: f64,
) -> ErlangC {
    let n = f64::from(agents);
    let pw = erlang_c(traffic, agents);
    let stable = n > traffic && handle_seconds > 0.0;
    ErlangC {
        traffic,
        agents,
        wait_probability: pw,
        service_level: if stable {
            (1.0 - pw * (-(n - traffic) * target_seconds / handle_seconds).exp()).max(0.0)
        } else if traffic <= 0.0 {
            1.0
        } else {
            0.0
        },
        mean_wait_seconds: if stable {
            pw * handle_seconds / (n - traffic)
        } else if traffic <= 0.0 {
            0.0
        } else {
            f64::INFINITY
        },
        occupancy: if agents == 0 {
            0.0
        } else {
            (traffic / n).min(1.0)
        },
    }
}

/// The fewest agents whose Erlang C service level reaches `target_share`
/// (0–1) within `target_seconds`; None if even [`MAX_AGENTS`] do not.
pub fn agents_for_service_level(
    traffic: f64,
    handle_seconds: f64,
    target_seconds: f64,
    target_share: f64,
) -> Option<u32> {
    if traffic <= 0.0 {
        return Some(0);
    }
    // Fewer agents than the traffic can never keep up.
    let start = traffic.floor() as u32 + 1;
    (start..=MAX_AGENTS).find(|n| {
        erlang_c_figures(traffic, *n, handle_seconds, target_seconds).service_level >= target_share
    })
}

/// What a number of agents gives under Erlang A (M/M/N+M): callers who
/// wait give up after a patience with mean `patience_seconds`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ErlangA {
    pub agents: u32,
    /// The probability that a call waits.
    pub wait_probability: f64,
    /// The share of calls that give up before they are answered.
    pub abandon_share: f64,
    /// The mean wait over all calls (answered or not), in seconds.
    pub mean_wait_seconds: f64,
    /// The share of calls answered within the target time.
    pub service_level: f64,
    /// The share of the agents' time spent on calls.
    pub occupancy: f64,
}

/// Terms of the queue are summed until they fall below this share of the sum.
const TAIL: f64 = 1e-15;

/// Erlang A for `agents`, `calls_per_second` arriving, a mean handle time
/// and a mean patience (seconds), with a service-level target time.
///
/// The birth–death chain's stationary distribution is built by ratios
/// (π(n) ÷ π(n−1) = λ ÷ (min(n, N)·μ + max(n − N, 0)·θ)), normalised as it
/// goes. A caller who arrives with k callers queued ahead is answered when
/// k + 1 queue departures have happened before their own patience runs
/// out; the queue departs at rate N·μ + j·θ with j callers ahead, so the
/// time to be answered is a sum of exponential phases, integrated
/// numerically over [0, target].
pub fn erlang_a_figures(
    calls_per_second: f64,
    agents: u32,
    handle_seconds: f64,
    patience_seconds: f64,
    target_seconds: f64,
) -> ErlangA {
    let lambda = calls_per_second.max(0.0);
    let mu = if handle_seconds > 0.0 {
        1.0 / handle_seconds
    } else {
        f64::INFINITY
    };
    let theta = if patience_seconds > 0.0 {
        1.0 / patience_seconds
    } else {
        f64::INFINITY
    };
    let n = f64::from(agents);
    if lambda == 0.0 {
        return ErlangA {
            agents,
            wait_probability: 0.0,
            abandon_share: 0.0,
            mean_wait_seconds: 0.0,
            service_level: 1.0,
            occupancy: 0.0,
        };
    }
    // Unnormalised π(n), π(0) = 1, kept in a scale that cannot overflow:
    // every term is divided by the running total when it grows large.
    let mut terms: Vec<f64> = vec![1.0];
    let mut total = 1.0;
    let mut term = 1.0;
    for k in 1..=agents {
        term *= lambda / (f64::from(k) * mu);
        terms.push(term);
        total += term;
        if total > 1e200 {
            for t in &mut terms {
                *t /= total;
            }
            term /= total;
            total = 1.0;
        }
    }
    // The queue: k callers waiting.
    let mut k = 0u32;
    loop {
        k += 1;
        term *= lambda / (n * mu + f64::from(k) * theta);
        terms.push(term);
        total += term;
        if term < TAIL * total || k > 1_000_000 {
            break;
        }
    }
    let pi: Vec<f64> = terms.iter().map(|t| t / total).collect();
    let busy = agents as usize;
    let wait_probability: f64 = pi[busy..].iter().sum();
    let queued: f64 = pi[busy..]
        .iter()
        .enumerate()
        .map(|(q, p)| q as f64 * p)
        .sum();
    let abandon_share = (theta * queued / lambda).min(1.0);
    let mut answered_in_time = pi[..busy].iter().sum::<f64>();
    // An arriving caller sees the chain's state (PASTA); with q waiting
    // ahead they need q + 1 departures, phase rates N·μ + (q − i)·θ ... N·μ,
    // each raced by their own patience θ.
    if target_seconds > 0.0 {
        for (q, p) in pi[busy..].iter().enumerate() {
            if *p < 1e-18 {
                continue;
            }
            answered_in_time += p * answered_within(q, n * mu, theta, target_seconds);
        }
    }
    ErlangA {
        agents,
        wait_probability,
        abandon_share,
        mean_wait_seconds: queued / lambda,
        service_level: answered_in_time.min(1.0),
        occupancy: if agents == 0 {
            0.0
        } else {
            (lambda * (1.0 - abandon_share) / (n * mu)).min(1.0)
        },
    }
}

/// The probability that a caller with `ahead` callers queued in front is
/// answered within `t` seconds: the queue moves at `served + j·theta` with
/// j callers ahead, and the caller's own patience (rate `theta`) must not
/// run out first. Each phase (j ahead) ends either by the queue moving
/// (rate served + j·θ) or by the caller giving up (θ): the caller advances
/// with rate r_j = served + j·θ and leaves with rate θ, so the chance of
/// being answered within t is that of passing ahead + 1 phases of total
/// rate r_j + θ in time, each advancing with r_j ÷ (r_j + θ). Integrated by
/// the uniformised Poisson sum, which is stable for any number of phases.
fn answered_within(ahead: usize, served: f64, theta: f64, t: f64) -> f64 {
    let phases = ahead + 1;
    // Exit rates of the phases: the caller leaves phase j (j ahead) at
    // served + j·θ (advance) + θ (gives up).
    let rates: Vec<f64> = (0..phases)
        .rev()
        .map(|j| served + j as f64 * theta + theta)
        .collect();
    let advance: Vec<f64> = (0..phases)
        .rev()
        .map(|j| (served + j as f64 * theta) / (served + j as f64 * theta + theta))
        .collect();
    let uniform = rates.iter().cloned().fold(0.0, f64::max);
    if !uniform.is_finite() || uniform <= 0.0 {
        return 0.0;
    }
    // Uniformisation: a Poisson clock at `uniform`; at each tick the caller
    // in phase i advances with rates[i]·advance[i] ÷ uniform, gives up with
    // rates[i]·(1 − advance[i]) ÷ uniform, else stays.
    let mut state = vec![0.0; phases + 1]; // last: answered
    state[0] = 1.0;
    let lt = uniform * t;
    let mut poisson = (-lt).exp();
    let mut result = 0.0;
    let mut cumulative = poisson;
    // When e^(−λt) underflows, start the sum in log space.
    let log_mode = poisson == 0.0;
    let mut log_poisson = -lt;
    let max_ticks = (lt + 20.0 * lt.sqrt() + 50.0) as usize;
    for tick in 0..=max_ticks {
        let weight = if log_mode { log_poisson.exp() } else { poisson };
        result += weight * state[phases];
        if !log_mode && cumulative > 1.0 - 1e-15 {
            break;
        }
        // Next tick.
        let mut next = vec![0.0; phases + 1];
        next[phases] = state[phases];
        for i in 0..phases {
            let p = state[i];
            if p == 0.0 {
                continue;
            }
            let go = rates[i] * advance[i] / uniform;
            let quit = rates[i] * (1.0 - advance[i]) / uniform;
            next[i + 1] += p * go;
            next[i] += p * (1.0 - go - quit);
        }
        state = next;
        let k = (tick + 1) as f64;
        poisson *= lt / k;
        log_poisson += lt.ln() - k.ln();
        cumulative += poisson;
    }
    result.min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tolerance: f64) -> bool {
        (a - b).abs() <= tolerance
    }

    /// The published example: 100 calls in 30 minutes, 180 s handle time,
    /// 20 s target, 14 agents.
    #[test]
    fn the_published_erlang_c_example() {
        let a = traffic(100.0, 180.0, 1800.0);
        assert!(close(a, 10.0, 1e-12));
        let f = erlang_c_figures(a, 14, 180.0, 20.0);
        assert!(
            close(f.wait_probability, 0.1741, 0.00005),
            "{}",
            f.wait_probability
        );
        assert!(
            close(f.service_level, 0.8884, 0.00005),
            "{}",
            f.service_level
        );
        assert!(
            close(f.mean_wait_seconds, 7.84, 0.005),
            "{}",
            f.mean_wait_seconds
        );
        assert!(close(f.occupancy, 0.714, 0.0005), "{}", f.occupancy);
        // 13 agents fall just short of 80 % within 20 s, so 80 % needs 14;
        // 90 % (more than the 88,84 % of 14) needs 15.
        let thirteen = erlang_c_figures(a, 13, 180.0, 20.0).service_level;
        assert!(thirteen < 0.80 && thirteen > 0.79, "{thirteen}");
        assert_eq!(agents_for_service_level(a, 180.0, 20.0, 0.80), Some(14));
        assert_eq!(agents_for_service_level(a, 180.0, 20.0, 0.90), Some(15));
    }

    #[test]
    fn erlang_b_matches_the_table() {
        // Erlang B tables: 10 Erlang on 15 lines loses 3.65 %; 1 Erlang on
        // 1 line loses 50 %.
        assert!(close(erlang_b(10.0, 15), 0.0365, 0.00005));
        assert!(close(erlang_b(1.0, 1), 0.5, 1e-12));
    }

    #[test]
    fn large_lines_neither_overflow_nor_lose_precision() {
        let f = erlang_c_figures(400.0, 430, 240.0, 20.0);
        assert!(f.wait_probability.is_finite() && f.wait_probability > 0.0);
        assert!(f.wait_probability < 1.0);
        assert!(f.service_level > 0.5 && f.service_level < 1.0);
        assert_eq!(erlang_c(400.0, 400), 1.0, "no more agents than traffic");
        assert!(agents_for_service_level(400.0, 240.0, 20.0, 0.8).unwrap() > 400);
    }

    #[test]
    fn erlang_a_approaches_erlang_c_as_patience_grows() {
        let lambda = 100.0 / 1800.0;
        let c = erlang_c_figures(10.0, 14, 180.0, 20.0);
        let a = erlang_a_figures(lambda, 14, 180.0, 1e9, 20.0);
        assert!(close(a.wait_probability, c.wait_probability, 1e-4), "{a:?}");
        assert!(
            close(a.mean_wait_seconds, c.mean_wait_seconds, 1e-2),
            "{a:?}"
        );
        assert!(close(a.service_level, c.service_level, 1e-4), "{a:?}");
        assert!(a.abandon_share < 1e-6);
    }

    #[test]
    fn erlang_a_with_impatient_callers_abandons_and_waits_less() {
        let lambda = 100.0 / 1800.0;
        let c = erlang_c_figures(10.0, 11, 180.0, 20.0);
        let a = erlang_a_figures(lambda, 11, 180.0, 60.0, 20.0);
        assert!(a.abandon_share > 0.0 && a.abandon_share < a.wait_probability);
        assert!(a.mean_wait_seconds < c.mean_wait_seconds);
        // Little's law: those who give up are θ × the mean queue.
        assert!(close(a.abandon_share, a.mean_wait_seconds / 60.0, 1e-9));
        // Even more callers than agents can serve stay finite under Erlang A.
        let over = erlang_a_figures(lambda * 3.0, 11, 180.0, 60.0, 20.0);
        assert!(over.abandon_share > 0.3 && over.abandon_share < 1.0);
        assert!(over.mean_wait_seconds.is_finite());
        assert!(over.service_level >= 0.0 && over.service_level < a.service_level);
    }
}
