using System;
using System.Runtime.CompilerServices;
using NNLinearity.Kernels;
using NNLinearity.Numerics;

namespace NNLinearity.Links;

/// <summary>The logit link: eta = log(mu / (1 - mu)), mu = 1 / (1 + exp(-eta)). Canonical for the binomial family. The inverse is evaluated as e/(1+e) with e = exp(-|eta|), so both tails keep full relative accuracy (mu at eta = -40 is 4.25e-18, not 0).</summary>
/// <remarks>Thread safety: an immutable value; safe to share across threads.</remarks>
public readonly struct LogitLink : ILinkFunction
{
    /// <inheritdoc />
    public string Name => "logit";

    /// <inheritdoc />
    public bool IsAffine => false;

    /// <inheritdoc />
    public double MeanLowerBound => 0.0;

    /// <inheritdoc />
    public double MeanUpperBound => 1.0;

    /// <inheritdoc />
    public double Link(double mu)
    {
        // Near mu = 1/2 the difference of logs cancels; 2 atanh(2 mu - 1) is exact there (2 mu - 1 has no rounding).
        if (mu > 0.25 && mu < 0.75) return 2.0 * Math.Atanh(2.0 * mu - 1.0);
        return Math.Log(mu) - Special.Log1P(-mu);
    }

    /// <inheritdoc />
    public double Inverse(double eta)
    {
        double e = Math.Exp(-Math.Abs(eta));
        double p = 1.0 / (1.0 + e);
        return eta >= 0 ? p : e * p;
    }

    /// <inheritdoc />
    public double InverseDerivative(double eta)
    {
        double e = Math.Exp(-Math.Abs(eta));
        double p = 1.0 / (1.0 + e);
        return e * p * p;
    }

    /// <inheritdoc />
    public double InverseSecondDerivative(double eta)
    {
        // d2mu/deta2 = mu (1 - mu) (1 - 2 mu); 1 - 2 mu = -sign(eta) (1 - e) / (1 + e), with 1 - e = -expm1(-|eta|).
        double a = Math.Abs(eta);
        double e = Math.Exp(-a);
        double p = 1.0 / (1.0 + e);
        double oneMinusTwoMu = -double.CopySign(1.0, eta) * -Special.ExpM1(-a) * p;
        return e * p * p * oneMinusTwoMu;
    }

    /// <inheritdoc />
    public bool IsValidMean(double mu) => mu > 0 && mu < 1;

    /// <inheritdoc />
    public bool IsValidLinearPredictor(double eta) => !double.IsNaN(eta);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Link(ReadOnlySpan<double> mu, Span<double> eta) => LinkBatch.Link(this, mu, eta);

    /// <inheritdoc />
    public double Inverse(double eta, out double dMuDEta)
    {
        double e = Math.Exp(-Math.Abs(eta));
        double p = 1.0 / (1.0 + e);
        dMuDEta = e * p * p;
        return eta >= 0 ? p : e * p;
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Inverse(ReadOnlySpan<double> eta, Span<double> mu) => LinkBatch.Activation<ActivationKernels.LogisticOp>(eta, mu, default, wantMu: true, wantD: false);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void InverseDerivative(ReadOnlySpan<double> eta, Span<double> dMuDEta) => LinkBatch.Activation<ActivationKernels.LogisticOp>(eta, default, dMuDEta, wantMu: false, wantD: true);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Inverse(ReadOnlySpan<double> eta, Span<double> mu, Span<double> dMuDEta) => LinkBatch.Activation<ActivationKernels.LogisticOp>(eta, mu, dMuDEta, wantMu: true, wantD: true);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Link(ReadOnlySpan<float> mu, Span<float> eta) => LinkBatch.Link(this, mu, eta);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Inverse(ReadOnlySpan<float> eta, Span<float> mu) => LinkBatch.Activation<ActivationKernels.LogisticOp>(eta, mu, default, wantMu: true, wantD: false);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void InverseDerivative(ReadOnlySpan<float> eta, Span<float> dMuDEta) => LinkBatch.Activation<ActivationKernels.LogisticOp>(eta, default, dMuDEta, wantMu: false, wantD: true);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Inverse(ReadOnlySpan<float> eta, Span<float> mu, Span<float> dMuDEta) => LinkBatch.Activation<ActivationKernels.LogisticOp>(eta, mu, dMuDEta, wantMu: true, wantD: true);

    /// <inheritdoc />
    public override string ToString() => Name;
}
