//! Native benchmarks of the core's hot paths (issue 8): one training step of the default model
//! per method on the digits, the regular evaluation (NCC, CDNV, kNN) and the one with the
//! linear probe, and the KSG, kernel and binning estimators at N = 2,000 and 10,000 on the bench
//! page's samples (pairs of scalars, joint dimension d = 2: `ssl_core::bench::sample_pairs`).
//!
//! ```text
//! cargo bench -p ssl-core --bench core            # everything
//! cargo bench -p ssl-core --bench core -- ksg     # one group
//! ```

use criterion::{Criterion, criterion_group, criterion_main};
use ssl_core::bench::sample_pairs;
use ssl_core::data::{Dataset, read_workspace_bundled};
use ssl_core::method::Method;
use ssl_core::mi::Rows;
use ssl_core::mi::binning::binning_nats;
use ssl_core::mi::kde::{DEFAULT_NOISE_VARIANCE, kde_nats};
use ssl_core::mi::ksg::ksg1_nats;
use ssl_core::settings::Settings;
use ssl_core::split::SplitData;
use ssl_core::train::Trainer;

fn digits_trainer(method: Method) -> Trainer {
    let loaded = read_workspace_bundled(Dataset::Digits).expect("the bundled digits");
    let settings = Settings {
        method,
        ..Settings::default()
    };
    let split = SplitData::for_run(&loaded, settings.seed).expect("a split");
    Trainer::with_split(split, settings, ssl_core::cpu_device()).expect("a trainer")
}

fn training_steps(c: &mut Criterion) {
    let mut group = c.benchmark_group("step");
    group.sample_size(20);
    for method in Method::ALL {
        let mut trainer = digits_trainer(method);
        group.bench_function(method.key(), |b| b.iter(|| trainer.step().expect("a step")));
    }
    group.finish();
}

fn evaluations(c: &mut Criterion) {
    let trainer = digits_trainer(Method::Vicreg);
    let mut group = c.benchmark_group("evaluate");
    group.sample_size(10);
    group.bench_function("ncc cdnv knn", |b| {
        b.iter(|| trainer.evaluate_with(false).expect("an evaluation"))
    });
    group.bench_function("with the linear probe", |b| {
        b.iter(|| trainer.evaluate_with(true).expect("an evaluation"))
    });
    group.finish();
}

fn estimators(c: &mut Criterion) {
    for n in [2000, 10_000] {
        let (x, y) = sample_pairs(n);
        let (x, y) = (Rows::new(&x, 1), Rows::new(&y, 1));
        let mut group = c.benchmark_group(format!("estimate N={n} d=2"));
        group.sample_size(10);
        group.bench_function("ksg", |b| {
            b.iter(|| ksg1_nats(x, y, 3).expect("an estimate"))
        });
        group.bench_function("kde", |b| {
            b.iter(|| kde_nats(x, y, DEFAULT_NOISE_VARIANCE).expect("an estimate"))
        });
        group.bench_function("binning", |b| {
            b.iter(|| binning_nats(x, y, 30).expect("an estimate"))
        });
        group.finish();
    }
}

criterion_group!(benches, training_steps, evaluations, estimators);
criterion_main!(benches);
