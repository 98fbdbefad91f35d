using System;
using System.Runtime.CompilerServices;
using NNLinearity.Kernels;
using NNLinearity.Numerics;

namespace NNLinearity.Links;

/// <summary>The log link: eta = log(mu), mu = exp(eta). Canonical for the Poisson family. Overflows to +Infinity only above eta = 709.78.</summary>
/// <remarks>Thread safety: an immutable value; safe to share across threads.</remarks>
public readonly struct LogLink : ILinkFunction
{
    /// <inheritdoc />
    public string Name => "log";

    /// <inheritdoc />
    public bool IsAffine => false;

    /// <inheritdoc />
    public double MeanLowerBound => 0.0;

    /// <inheritdoc />
    public double MeanUpperBound => double.PositiveInfinity;

    /// <inheritdoc />
    public double Link(double mu) => Math.Log(mu);

    /// <inheritdoc />
    public double Inverse(double eta) => Math.Exp(eta);

    /// <inheritdoc />
    public double InverseDerivative(double eta) => Math.Exp(eta);

    /// <inheritdoc />
    public double InverseSecondDerivative(double eta) => Math.Exp(eta);

    /// <inheritdoc />
    public bool IsValidMean(double mu) => mu > 0 && double.IsFinite(mu);

    /// <inheritdoc />
    public bool IsValidLinearPredictor(double eta) => !double.IsNaN(eta) && eta < double.PositiveInfinity;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Link(ReadOnlySpan<double> mu, Span<double> eta) => LinkBatch.Link(this, mu, eta);

    /// <inheritdoc />
    public double Inverse(double eta, out double dMuDEta)
    {
        double mu = Math.Exp(eta);
        dMuDEta = mu;
        return mu;
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Inverse(ReadOnlySpan<double> eta, Span<double> mu)
    {
        LinkBatch.CheckLengths(eta.Length, mu.Length, nameof(mu));
        VectorMath.Exp(eta, mu);
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void InverseDerivative(ReadOnlySpan<double> eta, Span<double> dMuDEta)
    {
        LinkBatch.CheckLengths(eta.Length, dMuDEta.Length, nameof(dMuDEta));
        VectorMath.Exp(eta, dMuDEta);
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Inverse(ReadOnlySpan<double> eta, Span<double> mu, Span<double> dMuDEta)
    {
        LinkBatch.CheckLengths(eta.Length, mu.Length, nameof(mu));
        LinkBatch.CheckLengths(eta.Length, dMuDEta.Length, nameof(dMuDEta));
        VectorMath.Exp(eta, mu);
        mu[..eta.Length].CopyTo(dMuDEta);
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Link(ReadOnlySpan<float> mu, Span<float> eta) => LinkBatch.Link(this, mu, eta);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Inverse(ReadOnlySpan<float> eta, Span<float> mu) => LinkBatch.Inverse(this, eta, mu);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void InverseDerivative(ReadOnlySpan<float> eta, Span<float> dMuDEta) => LinkBatch.InverseDerivative(this, eta, dMuDEta);

    /// <inheritdoc />
    public override string ToString() => Name;
}
