/*
 * Small, accessible building blocks shared by the popup and the options page. They know nothing
 * about the bridge or AppState (StatusPill only takes a ConnectionStatus); pair them with
 * ../theme.css. See README.md for what each one does and its props.
 */
export { AmountField, type AmountFieldProps } from './AmountField.js';
export { Button, IconButton, type ButtonProps, type ButtonVariant, type IconButtonProps } from './Button.js';
export { CopyButton, copyText, type CopyButtonProps } from './CopyButton.js';
export { EmptyState, type EmptyStateProps } from './EmptyState.js';
export { Icon, type IconName, type IconProps } from './Icon.js';
export { ConfirmDialog, Modal, type ConfirmDialogProps, type ModalProps } from './Modal.js';
export { Money, type MoneyProps } from './Money.js';
export { Notice, type NoticeProps, type NoticeTone } from './Notice.js';
export { Skeleton, type SkeletonProps } from './Skeleton.js';
export { Sparkline, type SparklineProps } from './Sparkline.js';
export { Spinner, type SpinnerProps } from './Spinner.js';
export { StatusPill, type StatusPillProps } from './StatusPill.js';
export { TextField, type TextFieldProps } from './TextField.js';
