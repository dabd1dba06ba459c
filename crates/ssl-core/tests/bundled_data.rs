//! The bundled MNIST and Fashion-MNIST subsets decode to the shapes their provenance states:
//! the first 500 train and 100 test images of each class (`www/data/PROVENANCE.md`).

use ssl_core::data::{Dataset, Loaded, decode_dataset};

fn counts(labels: &[u8]) -> Vec<usize> {
    let mut counts = vec![0; 10];
    for &l in labels {
        counts[usize::from(l)] += 1;
    }
    counts
}

fn check(dataset: Dataset, files: &[&[u8]]) {
    let files: Vec<Vec<u8>> = files.iter().map(|f| f.to_vec()).collect();
    let Loaded::Split {
        train,
        test,
        coarse,
    } = decode_dataset(dataset, &files).unwrap()
    else {
        panic!("{dataset:?} comes already split");
    };
    assert_eq!((train.len(), train.dim()), (5000, 784));
    assert_eq!((test.len(), test.dim()), (1000, 784));
    assert_eq!(counts(&train.labels), vec![500; 10]);
    assert_eq!(counts(&test.labels), vec![100; 10]);
    assert!(train.pixels.iter().all(|p| (0.0..=1.0).contains(p)));
    if let Some(coarse) = coarse {
        // The made-up grouping of PROVENANCE.md: clothing {0,1,2,3,4,6}, footwear {5,7,9},
        // bag {8}.
        let expected = [0, 0, 0, 0, 0, 1, 0, 1, 2, 1];
        for (&fine, &c) in train.labels.iter().zip(&coarse.train) {
            assert_eq!(c, expected[usize::from(fine)]);
        }
        assert_eq!(counts(&coarse.test)[..3], [600, 300, 100]);
    }
    // Sizes in `Dataset::files` are the bundled files' sizes.
    for (file, bytes) in dataset.files().iter().zip(&files) {
        assert_eq!(file.gzip_bytes, bytes.len(), "{}", file.path);
    }
}

#[test]
fn mnist_decodes_to_500_train_and_100_test_images_per_class() {
    check(
        Dataset::Mnist,
        &[
            include_bytes!("../../../www/data/mnist/mnist_train5k_test1k_train_x.u8.gz"),
            include_bytes!("../../../www/data/mnist/mnist_train5k_test1k_train_y.u8.gz"),
            include_bytes!("../../../www/data/mnist/mnist_train5k_test1k_test_x.u8.gz"),
            include_bytes!("../../../www/data/mnist/mnist_train5k_test1k_test_y.u8.gz"),
        ],
    );
}

#[test]
fn fashion_decodes_to_500_train_and_100_test_images_per_class() {
    check(
        Dataset::Fashion,
        &[
            include_bytes!("../../../www/data/fashion/fashion_train5k_test1k_train_x.u8.gz"),
            include_bytes!("../../../www/data/fashion/fashion_train5k_test1k_train_y.u8.gz"),
            include_bytes!("../../../www/data/fashion/fashion_train5k_test1k_test_x.u8.gz"),
            include_bytes!("../../../www/data/fashion/fashion_train5k_test1k_test_y.u8.gz"),
            include_bytes!("../../../www/data/fashion/fashion_train5k_test1k_train_coarse3.u8.gz"),
            include_bytes!("../../../www/data/fashion/fashion_train5k_test1k_test_coarse3.u8.gz"),
        ],
    );
}
