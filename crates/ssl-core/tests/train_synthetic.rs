//! VICReg on the synthetic hierarchy (`ssl_core::synthetic`), where the views re-draw the
//! nuisance coordinates: training must lift both levels of NCC far above the untrained network,
//! past the raw pixels at the fine level, and tighten the clusters.
//!
//! Measured with `examples/findings.rs` (VICReg defaults, nuisance 3, 1,000 steps) on seeds 0, 1
//! and 2:
//!
//! | seed | fine NCC: pixels, untrained, trained | coarse NCC: untrained, trained | CDNV ratio |
//! | --- | --- | --- | --- |
//! | 0 | 0.642, 0.383, 0.689 | 0.661, 1.000 | 0.056 |
//! | 1 | 0.642, 0.433, 0.703 | 0.700, 0.972 | 0.073 |
//! | 2 | 0.639, 0.331, 0.725 | 0.603, 0.992 | 0.034 |
//!
//! The test runs seed 0 and asserts about half of the smallest margin of the three seeds.
//!
//! Without the nuisance resampling (the shifts, dimming, patch and noise alone) the same runs end
//! at fine NCC 0.250, 0.294 and 0.200 and coarse 0.453, 0.522 and 0.375, below the untrained
//! network: the textures are the largest thing two views share, so the embedding keeps them.

use ssl_core::data::{Dataset, Loaded};
use ssl_core::settings::Settings;
use ssl_core::train::{SplitData, Trainer, synthetic_for_run};

const STEPS: usize = 1000;

fn synthetic(seed: u64, nuisance: f64) -> Settings {
    Settings {
        seed,
        dataset: Dataset::Synthetic,
        nuisance,
        ..Settings::default()
    }
}

#[test]
fn training_clusters_both_levels_and_beats_the_pixels() {
    let settings = synthetic(0, 3.0);
    let split = SplitData::for_run(&synthetic_for_run(&settings).unwrap(), 0).unwrap();
    let pixels = split.pixel_baseline();
    let without_resampling = SplitData {
        resampling: None,
        ..split.clone()
    };
    let train = |split: SplitData| {
        let mut trainer =
            Trainer::with_split(split, settings.clone(), ssl_core::cpu_device()).unwrap();
        let untrained = trainer.evaluate().unwrap();
        for _ in 0..STEPS {
            trainer.step().unwrap();
        }
        (untrained, trainer.evaluate().unwrap())
    };
    let (untrained, trained) = train(split);
    let (_, unresampled) = train(without_resampling);
    let report = format!("pixels {pixels:?}\nuntrained {untrained:?}\ntrained {trained:?}");

    // Smallest fine gain over the untrained network 0.27 (seed 1): pinned at 0.13.
    assert!(trained.ncc_test > untrained.ncc_test + 0.13, "{report}");
    // Smallest fine gain over the pixels 0.047 (seed 0): pinned at 0.02.
    assert!(trained.ncc_test > pixels.ncc_test + 0.02, "{report}");
    // Coarse: untrained at most 0.70, trained at least 0.97.
    let (before, after) = (untrained.ncc_test_coarse, trained.ncc_test_coarse);
    let (before, after) = (before.expect("coarse"), after.expect("coarse"));
    assert!(after > 0.9 && after > before + 0.15, "{report}");
    // Largest CDNV ratio 0.073 (seed 1): pinned at 0.15.
    assert!(trained.cdnv_train < 0.15 * untrained.cdnv_train, "{report}");
    // The resampling's share: 0.41 to 0.53 of fine NCC on the three seeds, pinned at 0.2.
    assert!(
        unresampled.ncc_test + 0.2 < trained.ncc_test,
        "without resampling {unresampled:?}\n{report}"
    );
}

#[test]
fn the_run_seed_and_the_nuisance_fix_the_data_and_the_split_keeps_the_superclasses() {
    let data = |seed, nuisance| match synthetic_for_run(&synthetic(seed, nuisance)).unwrap() {
        Loaded::Synthetic(data) => data,
        _ => panic!("the synthetic set is generated"),
    };
    assert_eq!(data(1, 3.0), data(1, 3.0));
    assert_ne!(data(1, 3.0).data.pixels, data(2, 3.0).data.pixels);
    assert_ne!(data(1, 3.0).data.pixels, data(1, 4.0).data.pixels);

    let split = SplitData::for_run(&Loaded::Synthetic(data(1, 3.0)), 1).unwrap();
    let coarse = split.coarse.as_ref().expect("superclasses");
    assert_eq!((split.train.len(), split.test.len()), (1440, 360));
    assert_eq!(
        (coarse.train.len(), coarse.test.len(), coarse.classes),
        (1440, 360, 5)
    );
    // Class C belongs to superclass C / 2 in the default shape.
    for (fine, coarse) in [
        (&split.train.labels, &coarse.train),
        (&split.test.labels, &coarse.test),
    ] {
        assert!(fine.iter().zip(coarse).all(|(&f, &c)| f / 2 == c));
    }
    assert!(
        split.resampling.is_some(),
        "the views re-draw the nuisances"
    );
}
