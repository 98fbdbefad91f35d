using System;
using System.Runtime.CompilerServices;
using NNLinearity.Numerics;

namespace NNLinearity.Links;

/// <summary>The inverse squared link 1/mu^2: eta = mu^-2, mu = eta^-1/2. Canonical for the inverse Gaussian family; needs eta &gt; 0.</summary>
/// <remarks>Thread safety: an immutable value; safe to share across threads.</remarks>
public readonly struct InverseSquaredLink : ILinkFunction
{
    /// <inheritdoc />
    public string Name => "1/mu^2";

    /// <inheritdoc />
    public bool IsAffine => false;

    /// <inheritdoc />
    public double MeanLowerBound => 0.0;

    /// <inheritdoc />
    public double MeanUpperBound => double.PositiveInfinity;

    /// <inheritdoc />
    public double Link(double mu) => 1.0 / (mu * mu);

    /// <inheritdoc />
    public double Inverse(double eta) => 1.0 / Math.Sqrt(eta);

    /// <inheritdoc />
    public double InverseDerivative(double eta) => -0.5 / (eta * Math.Sqrt(eta));

    /// <inheritdoc />
    public double InverseSecondDerivative(double eta) => 0.75 / (eta * eta * Math.Sqrt(eta));

    /// <inheritdoc />
    public bool IsValidMean(double mu) => mu > 0 && double.IsFinite(mu);

    /// <inheritdoc />
    public bool IsValidLinearPredictor(double eta) => eta > 0 && double.IsFinite(eta);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Link(ReadOnlySpan<double> mu, Span<double> eta) => LinkBatch.Link(this, mu, eta);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Inverse(ReadOnlySpan<double> eta, Span<double> mu) => LinkBatch.Inverse(this, eta, mu);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void InverseDerivative(ReadOnlySpan<double> eta, Span<double> dMuDEta) => LinkBatch.InverseDerivative(this, eta, dMuDEta);

    /// <inheritdoc />
    public double Inverse(double eta, out double dMuDEta)
    {
        dMuDEta = InverseDerivative(eta);
        return Inverse(eta);
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Inverse(ReadOnlySpan<double> eta, Span<double> mu, Span<double> dMuDEta) => LinkBatch.InverseWithDerivative(this, eta, mu, dMuDEta);

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
