//! Reading tensors back to the CPU without blocking.
//!
//! In a browser a thread cannot block on a future, so burn's synchronous `into_data` is not safe
//! there. On the CPU backend the asynchronous read-back is ready as soon as it is asked for, so
//! polling it once suffices; a backend whose read-back is still pending (a GPU) gets an error
//! rather than a hang, and must use [`burn::tensor::Tensor::into_data_async`] itself.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use burn::tensor::Tensor;

use crate::CoreError;

/// The values of `tensor`, row-major, as `f32`.
pub fn read_f32<const D: usize>(tensor: Tensor<D>) -> Result<Vec<f32>, CoreError> {
    let future = pin!(tensor.into_data_async());
    match future.poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(Ok(data)) => data
            .try_into_vec::<f32>()
            .map_err(|e| CoreError::Readback(format!("{e:?}"))),
        Poll::Ready(Err(e)) => Err(CoreError::Readback(format!("{e:?}"))),
        Poll::Pending => Err(CoreError::Readback(
            "the backend's read-back is asynchronous".into(),
        )),
    }
}
