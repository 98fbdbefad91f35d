using System;
using System.Runtime.CompilerServices;
using NNLinearity.Numerics;

namespace NNLinearity.Links;

/// <summary>The log-log link: eta = -log(-log(mu)), mu = exp(-exp(-eta)); the mirror image of the complementary log-log link.</summary>
/// <remarks>Thread safety: an immutable value; safe to share across threads.</remarks>
public readonly struct LogLogLink : ILinkFunction
{
    /// <inheritdoc />
    public string Name => "loglog";

    /// <inheritdoc />
    public double Link(double mu) => -Math.Log(-Math.Log(mu));

    /// <inheritdoc />
    public double Inverse(double eta) => Math.Exp(-Math.Exp(-eta));

    /// <inheritdoc />
    public double InverseDerivative(double eta)
    {
        if (eta < -700) return 0.0;
        return Math.Exp(-eta - Math.Exp(-eta));
    }

    /// <inheritdoc />
    public double InverseSecondDerivative(double eta)
    {
        if (eta < -700) return 0.0;
        double e = Math.Exp(-eta);
        return Math.Exp(-eta - e) * (e - 1.0);
    }

    /// <inheritdoc />
    public bool IsAffine => false;

    /// <inheritdoc />
    public double MeanLowerBound => 0.0;

    /// <inheritdoc />
    public double MeanUpperBound => 1.0;

    /// <inheritdoc />
    public bool IsValidMean(double mu) => mu > 0 && mu < 1;

    /// <inheritdoc />
    public bool IsValidLinearPredictor(double eta) => !double.IsNaN(eta);

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
