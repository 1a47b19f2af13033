//! Tests of the shape operations: gradcheck (also on non-contiguous inputs), the
//! course's reshape (3.10.3), PyTorch's grad_fn names, edge cases and error messages.

use crate::gradcheck::assert_gradcheck;
use crate::prelude::*;
use crate::random::test_tensor as random;

#[test]
fn shape_ops_pass_gradcheck() {
    let x = [random(&[2, 3, 4], 1)];
    assert_gradcheck(|t| t[0].reshape(&[4, -1]), &x);
    assert_gradcheck(|t| t[0].view(&[24]), &x);
    assert_gradcheck(|t| t[0].flatten(), &x);
    assert_gradcheck(|t| t[0].flatten_from(1), &x);
    assert_gradcheck(|t| t[0].transpose(0, 2), &x);
    assert_gradcheck(|t| t[0].transpose(-1, 1), &x);
    assert_gradcheck(|t| t[0].permute(&[1, 2, 0]), &x);
    assert_gradcheck(|t| t[0].unsqueeze(1), &x);
    assert_gradcheck(|t| t[0].unsqueeze(-1), &x);
    let y = [random(&[1, 3, 1, 2], 2)];
    assert_gradcheck(|t| t[0].squeeze(), &y);
    assert_gradcheck(|t| t[0].squeeze_dim(2), &y);
    assert_gradcheck(|t| t[0].t(), &[random(&[3, 2], 3)]);
}

#[test]
fn shape_ops_pass_gradcheck_on_non_contiguous_inputs() {
    let m = [random(&[3, 4], 4)];
    // t() inside the closure: the op receives a transposed (strided) array
    assert_gradcheck(|t| t[0].t().reshape(&[2, 6]), &m);
    assert_gradcheck(|t| t[0].t().flatten(), &m);
    assert_gradcheck(|t| t[0].t().unsqueeze(0).squeeze(), &m);
    assert_gradcheck(|t| t[0].t().t(), &m);
    let x = [random(&[2, 3, 4], 5)];
    assert_gradcheck(|t| t[0].permute(&[2, 0, 1]).flatten_from(1), &x);
    assert_gradcheck(|t| t[0].transpose(0, 1).permute(&[1, 2, 0]).exp(), &x);
}

#[test]
fn reshape_reads_in_row_major_order_whatever_the_layout() {
    let m = tensor!([[1., 2., 3.], [4., 5., 6.]]);
    let mt = m.t(); // strided: [[1, 4], [2, 5], [3, 6]]
    assert_eq!(mt.to_vec(), vec![1., 4., 2., 5., 3., 6.]);
    assert_eq!(mt.reshape(&[-1]).to_vec(), vec![1., 4., 2., 5., 3., 6.]);
    assert_eq!(
        mt.view(&[2, 3]).to_vec2(),
        vec![vec![1., 4., 2.], vec![5., 3., 6.]]
    );
    let x = Tensor::arange(0.0, 24.0, 1.0).reshape(&[2, 3, 4]);
    let p = x.permute(&[2, 0, 1]);
    assert_eq!(p.shape(), vec![4, 2, 3]);
    // p[k, i, j] = x[i, j, k]
    assert_eq!(p.to_vec()[..6], [0., 4., 8., 12., 16., 20.]);
    assert_eq!(x.transpose(1, 2).to_vec()[..6], [0., 4., 8., 1., 5., 9.]);
}

#[test]
fn course_3_10_3_reshape_of_six_values() {
    // chapter 3.10.3: [1..6] in the shapes (3,2), (2,3), (2,1,3), (6,1,1), (1,1,6)
    let t = tensor!([1., 2., 3., 4., 5., 6.]);
    let r = t.reshape(&[3, 2]);
    assert_eq!(r.to_vec2(), vec![vec![1., 2.], vec![3., 4.], vec![5., 6.]]);
    let r = t.reshape(&[2, 3]);
    assert_eq!(r.to_vec2(), vec![vec![1., 2., 3.], vec![4., 5., 6.]]);
    for shape in [[2, 1, 3], [6, 1, 1], [1, 1, 6]] {
        let r = t.reshape(&shape);
        let expected: Vec<usize> = shape.iter().map(|&s| s as usize).collect();
        assert_eq!(r.shape(), expected);
        assert_eq!(r.to_vec(), vec![1., 2., 3., 4., 5., 6.]);
    }
    // T = ones(2, 3); A = T.reshape(6): six values
    assert_eq!(Tensor::ones(&[2, 3]).reshape(&[6]).shape(), vec![6]);
    // the course's flatten of a [64, 8, 8] tensor into 4096 values (chapter 9)
    assert_eq!(Tensor::zeros(&[64, 8, 8]).flatten().shape(), vec![4096]);
}

#[test]
fn grad_fn_names_follow_pytorch() {
    let x = Tensor::zeros(&[2, 1, 3]).requires_grad_();
    assert_eq!(x.reshape(&[6]).grad_fn(), Some("ViewBackward0"));
    assert_eq!(x.flatten_from(1).grad_fn(), Some("ViewBackward0"));
    assert_eq!(x.transpose(0, 2).grad_fn(), Some("TransposeBackward0"));
    assert_eq!(x.squeeze().t().grad_fn(), Some("TBackward0"));
    assert_eq!(x.permute(&[2, 1, 0]).grad_fn(), Some("PermuteBackward0"));
    assert_eq!(x.unsqueeze(0).grad_fn(), Some("UnsqueezeBackward0"));
    assert_eq!(x.squeeze().grad_fn(), Some("SqueezeBackward0"));
    assert_eq!(x.squeeze_dim(1).grad_fn(), Some("SqueezeBackward1"));
}

#[test]
fn squeeze_and_unsqueeze_edge_cases() {
    let s = tensor!(3.);
    assert_eq!(s.unsqueeze(0).shape(), vec![1]);
    assert_eq!(s.flatten().to_vec(), vec![3.]);
    assert_eq!(s.squeeze_dim(0).shape(), Vec::<usize>::new());
    assert_eq!(
        Tensor::zeros(&[1, 1]).squeeze().shape(),
        Vec::<usize>::new()
    );
    let v = tensor!([1., 2.]);
    assert_eq!(v.unsqueeze(1).to_vec2(), vec![vec![1.], vec![2.]]);
    assert_eq!(v.unsqueeze(-2).shape(), vec![1, 2]);
    assert_eq!(Tensor::zeros(&[2, 0]).reshape(&[0, 5]).shape(), vec![0, 5]);
}

#[test]
#[should_panic(
    expected = "reshape: cannot reshape a tensor of shape [2, 3] (6 elements) \
                           into shape [4, 2] (8 elements)"
)]
fn reshape_to_the_wrong_size_names_both_shapes() {
    Tensor::zeros(&[2, 3]).reshape(&[4, 2]);
}

#[test]
#[should_panic(
    expected = "view: cannot view a tensor of shape [2, 3] (6 elements) as \
                           shape [-1, 4]: the -1 would have to be 6 / 4"
)]
fn view_with_an_impossible_minus_one_says_why() {
    Tensor::zeros(&[2, 3]).view(&[-1, 4]);
}

#[test]
#[should_panic(expected = "only one size can be -1")]
fn two_minus_ones_are_refused() {
    Tensor::zeros(&[2, 3]).reshape(&[-1, -1]);
}

#[test]
#[should_panic(expected = "t(): expected a 2-D tensor (a matrix), got shape [3]")]
fn t_on_a_vector_says_it_needs_a_matrix() {
    tensor!([1., 2., 3.]).t();
}

#[test]
#[should_panic(
    expected = "permute: [0, 0, 1] is not a permutation of the dimensions of a \
                           tensor of shape [2, 3, 4]; expected each of 0 to 2 exactly once"
)]
fn permute_with_a_repeated_dimension_is_refused() {
    Tensor::zeros(&[2, 3, 4]).permute(&[0, 0, 1]);
}

#[test]
#[should_panic(expected = "permute: [1, 0] is not a permutation")]
fn permute_with_too_few_dimensions_is_refused() {
    Tensor::zeros(&[2, 3, 4]).permute(&[1, 0]);
}

#[test]
#[should_panic(
    expected = "unsqueeze: dimension 3 is out of range for a tensor with 2 \
                           dimension(s): a new dimension can be inserted at positions 0 to 2"
)]
fn unsqueeze_out_of_range_is_named() {
    Tensor::zeros(&[2, 3]).unsqueeze(3);
}

#[test]
#[should_panic(expected = "transpose: dimension 2 is out of range")]
fn transpose_out_of_range_is_named() {
    Tensor::zeros(&[2, 3]).transpose(0, 2);
}
