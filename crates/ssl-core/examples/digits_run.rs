//! Trains a method on the bundled digits natively and prints NCC and speed, for several seeds.
//!
//! `cargo run --release -p ssl-core --example digits_run -- [steps] [seeds] [vicreg|simclr|barlow]`

use std::time::Instant;

use ssl_core::data::digits;
use ssl_core::method::Method;
use ssl_core::settings::Settings;
use ssl_core::train::Trainer;

fn main() {
    let mut args = std::env::args().skip(1);
    let steps: usize = args.next().map_or(500, |a| a.parse().expect("steps"));
    let seeds: u64 = args.next().map_or(5, |a| a.parse().expect("seeds"));
    let method = args
        .next()
        .map_or(Method::Vicreg, |a| Method::from_key(&a).expect("a method"));
    let data = digits(
        include_bytes!("../../../www/data/digits/digits_x.u8.gz"),
        include_bytes!("../../../www/data/digits/digits_y.u8.gz"),
    )
    .expect("bundled digits");
    println!("method,seed,pixels_test,untrained_test,trained_train,trained_test,steps_per_second");
    for seed in 0..seeds {
        let settings = Settings {
            seed,
            method,
            ..Settings::default()
        };
        let mut trainer = Trainer::new(&data, settings, ssl_core::cpu_device()).expect("trainer");
        let pixels = trainer.data().pixel_baseline();
        let untrained = trainer.evaluate().expect("evaluate");
        let start = Instant::now();
        for _ in 0..steps {
            trainer.step().expect("step");
        }
        let rate = steps as f64 / start.elapsed().as_secs_f64();
        let trained = trainer.evaluate().expect("evaluate");
        println!(
            "{},{seed},{:.4},{:.4},{:.4},{:.4},{rate:.1}",
            method.key(),
            pixels.ncc_test,
            untrained.ncc_test,
            trained.ncc_train,
            trained.ncc_test
        );
    }
}
