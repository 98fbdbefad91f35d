using System;
using System.Runtime.CompilerServices;
using NNLinearity.Kernels;
using NNLinearity.Numerics;

namespace NNLinearity.Links;

/// <summary>
/// Softplus as a link: mu = log(1 + exp(eta)), eta = log(exp(mu) - 1), for means in (0, Infinity). Invertible and
/// smooth; a positive-mean alternative to the log link that grows linearly instead of exponentially.
/// </summary>
/// <remarks>Thread safety: an immutable value; safe to share across threads.</remarks>
public readonly struct SoftplusLink : ILinkFunction
{
    /// <inheritdoc />
    public string Name => "softplus";

    /// <inheritdoc />
    public bool IsAffine => false;

    /// <inheritdoc />
    public double MeanLowerBound => 0.0;

    /// <inheritdoc />
    public double MeanUpperBound => double.PositiveInfinity;

    /// <summary>g(mu) = log(expm1(mu)) = mu + log(-expm1(-mu)): exact for small mu and free of overflow for large mu.</summary>
    /// <param name="mu">A positive mean.</param>
    /// <returns>The linear predictor.</returns>
    public double Link(double mu) => mu > 1.0 ? mu + Special.Log1P(-Math.Exp(-mu)) : Math.Log(Special.ExpM1(mu));

    /// <summary>g^-1(eta) = max(eta, 0) + log1p(exp(-|eta|)): never overflows.</summary>
    /// <param name="eta">The linear predictor.</param>
    /// <returns>The mean.</returns>
    public double Inverse(double eta) => Math.Max(eta, 0.0) + Special.Log1P(Math.Exp(-Math.Abs(eta)));

    /// <summary>dmu/deta = logistic(eta), in its stable form.</summary>
    /// <param name="eta">The linear predictor.</param>
    /// <returns>The derivative.</returns>
    public double InverseDerivative(double eta) => default(LogitLink).Inverse(eta);

    /// <inheritdoc />
    public double InverseSecondDerivative(double eta) => default(LogitLink).InverseDerivative(eta);

    /// <inheritdoc />
    public double Inverse(double eta, out double dMuDEta)
    {
        dMuDEta = InverseDerivative(eta);
        return Inverse(eta);
    }

    /// <inheritdoc />
    public bool IsValidMean(double mu) => mu > 0 && mu < double.PositiveInfinity;

    /// <inheritdoc />
    public bool IsValidLinearPredictor(double eta) => !double.IsNaN(eta);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Link(ReadOnlySpan<double> mu, Span<double> eta) => LinkBatch.Link(this, mu, eta);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Inverse(ReadOnlySpan<double> eta, Span<double> mu)
    {
        LinkBatch.CheckLengths(eta.Length, mu.Length, nameof(mu));
        VectorMath.Apply<VectorMath.SoftplusOp>(eta, mu);
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void InverseDerivative(ReadOnlySpan<double> eta, Span<double> dMuDEta)
    {
        LinkBatch.CheckLengths(eta.Length, dMuDEta.Length, nameof(dMuDEta));
        ActivationKernels.Apply<ActivationKernels.LogisticOp>(eta, dMuDEta, default); // d softplus = logistic
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Inverse(ReadOnlySpan<double> eta, Span<double> mu, Span<double> dMuDEta)
    {
        LinkBatch.CheckLengths(eta.Length, mu.Length, nameof(mu));
        LinkBatch.CheckLengths(eta.Length, dMuDEta.Length, nameof(dMuDEta));
        ActivationKernels.Apply<ActivationKernels.LogisticOp>(eta, dMuDEta, default); // first: mu may be eta's memory
        VectorMath.Apply<VectorMath.SoftplusOp>(eta, mu);
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Link(ReadOnlySpan<float> mu, Span<float> eta) => LinkBatch.Link(this, mu, eta);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Inverse(ReadOnlySpan<float> eta, Span<float> mu)
    {
        LinkBatch.CheckLengths(eta.Length, mu.Length, nameof(mu));
        VectorMath.Apply<VectorMath.SoftplusOp>(eta, mu);
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void InverseDerivative(ReadOnlySpan<float> eta, Span<float> dMuDEta)
    {
        LinkBatch.CheckLengths(eta.Length, dMuDEta.Length, nameof(dMuDEta));
        ActivationKernels.Apply<ActivationKernels.LogisticOp>(eta, dMuDEta, default);
    }

    /// <inheritdoc />
    public override string ToString() => Name;
}
