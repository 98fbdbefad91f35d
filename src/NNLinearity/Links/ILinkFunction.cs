using System;

namespace NNLinearity.Links;

/// <summary>
/// A link function g of a generalized linear model: the linear predictor is eta = g(mu) and the mean is
/// mu = g^-1(eta). A link knows nothing about data or about the response distribution.
/// </summary>
/// <remarks>
/// The library's links are <c>readonly struct</c>s so that loops written as generics constrained
/// <c>where TLink : struct, ILinkFunction</c> are compiled once per link with every call inlined. The interface is
/// also usable as an ordinary value (for example to pick a link at run time).
/// Scalar members never return NaN for an input inside the documented domain; tails use stable forms.
/// A link of your own needs only the scalar members: the span members and the fused <c>Inverse(eta, out dMuDEta)</c>
/// have default implementations that loop over the scalar ones (the library's links override them with vector kernels).
/// <para>Thread safety: the library's links are immutable structs, safe to share across threads; a user's link shared by a model or fit must be safe to call from several threads at once (pure functions of their arguments are).</para>
/// </remarks>
public interface ILinkFunction
{
    /// <summary>The link's name as R prints it (for example <c>logit</c>, <c>1/mu^2</c>, <c>mu^0.5</c>).</summary>
    string Name { get; }

    /// <summary>True when g is affine (the identity link): then eta stays linear through composition.</summary>
    bool IsAffine { get; }

    /// <summary>
    /// True when g^-1 is one-to-one on the linear predictor's domain, so that g is its inverse. Every GLM link is;
    /// of the hidden-layer activations, ReLU is not (every eta &lt;= 0 gives mu = 0).
    /// </summary>
    bool IsInvertible => true;

    /// <summary>
    /// True when g^-1 is piecewise linear and positively homogeneous, g^-1(eta) = (dmu/deta) eta with a slope that is
    /// constant on each side of 0 (identity, ReLU, leaky ReLU). Networks with such hidden links are piecewise linear
    /// in their input: on each activation region they are exactly a linear predictor.
    /// </summary>
    bool IsPiecewiseLinear => IsAffine;

    /// <summary>Infimum of the image of the inverse link (the smallest mean it can produce, possibly -Infinity).</summary>
    double MeanLowerBound { get; }

    /// <summary>Supremum of the image of the inverse link (the largest mean it can produce, possibly +Infinity).</summary>
    double MeanUpperBound { get; }

    /// <summary>The link g(mu): maps a mean to the linear predictor.</summary>
    /// <param name="mu">A mean inside the link's domain (see <see cref="IsValidMean"/>).</param>
    double Link(double mu);

    /// <summary>The inverse link g^-1(eta): maps a linear predictor to the mean.</summary>
    /// <param name="eta">A linear predictor inside the link's domain (see <see cref="IsValidLinearPredictor"/>).</param>
    double Inverse(double eta);

    /// <summary>The derivative dmu/deta of the inverse link at <paramref name="eta"/>.</summary>
    /// <param name="eta">The linear predictor.</param>
    double InverseDerivative(double eta);

    /// <summary>mu = g^-1(eta) and dmu/deta together, sharing their work (one exponential for logit and log).</summary>
    /// <param name="eta">The linear predictor.</param>
    /// <param name="dMuDEta">Receives dmu/deta at <paramref name="eta"/>.</param>
    /// <returns>The mean.</returns>
    double Inverse(double eta, out double dMuDEta)
    {
        dMuDEta = InverseDerivative(eta);
        return Inverse(eta);
    }

    /// <summary>The second derivative d2mu/deta2 of the inverse link at <paramref name="eta"/>.</summary>
    /// <param name="eta">The linear predictor.</param>
    double InverseSecondDerivative(double eta);

    /// <summary>True when <paramref name="mu"/> is a mean the link accepts (finite and inside its domain).</summary>
    /// <param name="mu">The mean to check.</param>
    bool IsValidMean(double mu);

    /// <summary>True when <paramref name="eta"/> is a linear predictor the inverse link accepts (R's <c>valideta</c>).</summary>
    /// <param name="eta">The linear predictor to check.</param>
    bool IsValidLinearPredictor(double eta);

    /// <summary>Applies <see cref="Link(double)"/> elementwise: <paramref name="eta"/>[i] = g(<paramref name="mu"/>[i]).</summary>
    /// <param name="mu">Means.</param>
    /// <param name="eta">Destination, at least as long as <paramref name="mu"/>; may be the same memory.</param>
    void Link(ReadOnlySpan<double> mu, Span<double> eta)
    {
        LinkBatch.CheckLengths(mu.Length, eta.Length, nameof(eta));
        for (int i = 0; i < mu.Length; i++) eta[i] = Link(mu[i]);
    }

    /// <summary>Applies <see cref="Inverse(double)"/> elementwise.</summary>
    /// <param name="eta">Linear predictors.</param>
    /// <param name="mu">Destination, at least as long as <paramref name="eta"/>; may be the same memory.</param>
    void Inverse(ReadOnlySpan<double> eta, Span<double> mu)
    {
        LinkBatch.CheckLengths(eta.Length, mu.Length, nameof(mu));
        for (int i = 0; i < eta.Length; i++) mu[i] = Inverse(eta[i]);
    }

    /// <summary>Applies <see cref="InverseDerivative(double)"/> elementwise.</summary>
    /// <param name="eta">Linear predictors.</param>
    /// <param name="dMuDEta">Destination, at least as long as <paramref name="eta"/>; may be the same memory.</param>
    void InverseDerivative(ReadOnlySpan<double> eta, Span<double> dMuDEta)
    {
        LinkBatch.CheckLengths(eta.Length, dMuDEta.Length, nameof(dMuDEta));
        for (int i = 0; i < eta.Length; i++) dMuDEta[i] = InverseDerivative(eta[i]);
    }

    /// <summary>Applies <see cref="Inverse(double, out double)"/> elementwise: the means and their derivatives in one pass.</summary>
    /// <param name="eta">Linear predictors.</param>
    /// <param name="mu">Destination of the means, at least as long as <paramref name="eta"/>; may be the same memory as <paramref name="eta"/>.</param>
    /// <param name="dMuDEta">Destination of dmu/deta, at least as long as <paramref name="eta"/>; must not overlap <paramref name="mu"/>.</param>
    void Inverse(ReadOnlySpan<double> eta, Span<double> mu, Span<double> dMuDEta)
    {
        LinkBatch.CheckLengths(eta.Length, mu.Length, nameof(mu));
        LinkBatch.CheckLengths(eta.Length, dMuDEta.Length, nameof(dMuDEta));
        for (int i = 0; i < eta.Length; i++)
        {
            double e = eta[i];
            mu[i] = Inverse(e, out double d);
            dMuDEta[i] = d;
        }
    }

    /// <summary>Single-precision <see cref="Link(ReadOnlySpan{double}, Span{double})"/>.</summary>
    /// <param name="mu">Means.</param>
    /// <param name="eta">Destination, at least as long as <paramref name="mu"/>; may be the same memory.</param>
    void Link(ReadOnlySpan<float> mu, Span<float> eta)
    {
        LinkBatch.CheckLengths(mu.Length, eta.Length, nameof(eta));
        for (int i = 0; i < mu.Length; i++) eta[i] = (float)Link(mu[i]);
    }

    /// <summary>Single-precision <see cref="Inverse(ReadOnlySpan{double}, Span{double})"/>.</summary>
    /// <param name="eta">Linear predictors.</param>
    /// <param name="mu">Destination, at least as long as <paramref name="eta"/>; may be the same memory.</param>
    void Inverse(ReadOnlySpan<float> eta, Span<float> mu)
    {
        LinkBatch.CheckLengths(eta.Length, mu.Length, nameof(mu));
        for (int i = 0; i < eta.Length; i++) mu[i] = (float)Inverse(eta[i]);
    }

    /// <summary>Single-precision <see cref="InverseDerivative(ReadOnlySpan{double}, Span{double})"/>.</summary>
    /// <param name="eta">Linear predictors.</param>
    /// <param name="dMuDEta">Destination, at least as long as <paramref name="eta"/>; may be the same memory.</param>
    void InverseDerivative(ReadOnlySpan<float> eta, Span<float> dMuDEta)
    {
        LinkBatch.CheckLengths(eta.Length, dMuDEta.Length, nameof(dMuDEta));
        for (int i = 0; i < eta.Length; i++) dMuDEta[i] = (float)InverseDerivative(eta[i]);
    }

    /// <summary>
    /// Single-precision <see cref="Inverse(ReadOnlySpan{double}, Span{double}, Span{double})"/>: the means and their
    /// derivatives, each with the bits of <see cref="Inverse(ReadOnlySpan{float}, Span{float})"/> and
    /// <see cref="InverseDerivative(ReadOnlySpan{float}, Span{float})"/>. The default calls those two; a link with a
    /// kernel for both (tanh, logit) computes them in one pass.
    /// </summary>
    /// <param name="eta">Linear predictors.</param>
    /// <param name="mu">Destination of the means, at least as long as <paramref name="eta"/>; may be the same memory as <paramref name="eta"/>.</param>
    /// <param name="dMuDEta">Destination of dmu/deta, at least as long as <paramref name="eta"/>; must not overlap <paramref name="mu"/> or <paramref name="eta"/>.</param>
    void Inverse(ReadOnlySpan<float> eta, Span<float> mu, Span<float> dMuDEta)
    {
        LinkBatch.CheckLengths(eta.Length, mu.Length, nameof(mu)); // both checked before either is written
        LinkBatch.CheckLengths(eta.Length, dMuDEta.Length, nameof(dMuDEta));
        InverseDerivative(eta, dMuDEta);
        Inverse(eta, mu);
    }
}
