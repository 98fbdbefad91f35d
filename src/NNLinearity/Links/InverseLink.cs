using System;
using System.Runtime.CompilerServices;
using NNLinearity.Numerics;

namespace NNLinearity.Links;

/// <summary>The inverse link: eta = 1/mu, mu = 1/eta. Canonical for the Gamma family. eta = 0 is outside its domain.</summary>
/// <remarks>Thread safety: an immutable value; safe to share across threads.</remarks>
public readonly struct InverseLink : ILinkFunction
{
    /// <inheritdoc />
    public string Name => "inverse";

    /// <inheritdoc />
    public bool IsAffine => false;

    /// <inheritdoc />
    public double MeanLowerBound => double.NegativeInfinity;

    /// <inheritdoc />
    public double MeanUpperBound => double.PositiveInfinity;

    /// <inheritdoc />
    public double Link(double mu) => 1.0 / mu;

    /// <inheritdoc />
    public double Inverse(double eta) => 1.0 / eta;

    /// <inheritdoc />
    public double InverseDerivative(double eta) => -1.0 / (eta * eta);

    /// <inheritdoc />
    public double InverseSecondDerivative(double eta) => 2.0 / (eta * eta * eta);

    /// <inheritdoc />
    public bool IsValidMean(double mu) => mu != 0 && double.IsFinite(mu);

    /// <inheritdoc />
    public bool IsValidLinearPredictor(double eta) => eta != 0 && double.IsFinite(eta);

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
